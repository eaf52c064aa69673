"""What the tests share: fake upstream servers, payload builders, database checks and world builders."""
