# Image check: pytest from Debian runs as the service user with no network.


def add(a, b):
    return a + b


def test_adds_two_numbers():
    assert add(2, 3) == 5
