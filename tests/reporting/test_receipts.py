from reporting.intake import receipts


def test_tracking_numbers_are_valid_random_and_twelve_digits():
    numbers = {receipts.new_tracking_number() for _ in range(500)}
    assert len(numbers) == 500
    for number in numbers:
        assert len(number) == 12 and number.isdigit() and number[0] != "0"
        assert receipts.normalize_tracking_number(number) == number


def test_check_digit_catches_every_single_digit_error_and_adjacent_swap():
    number = receipts.new_tracking_number()
    for i in range(12):
        for digit in "0123456789":
            if digit != number[i]:
                typo = number[:i] + digit + number[i + 1 :]
                assert receipts.normalize_tracking_number(typo) is None
    for i in range(11):
        if number[i] != number[i + 1]:
            swapped = number[:i] + number[i + 1] + number[i] + number[i + 2 :]
            assert receipts.normalize_tracking_number(swapped) is None


def test_tracking_number_accepts_spaces_dashes_and_full_width_digits():
    number = receipts.new_tracking_number()
    spaced = receipts.format_tracking_number(number)
    full_width = number.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    assert receipts.normalize_tracking_number(spaced) == number
    assert receipts.normalize_tracking_number(spaced.replace(" ", "-")) == number
    assert receipts.normalize_tracking_number(full_width) == number
    assert receipts.normalize_tracking_number("abc") is None
    assert receipts.normalize_tracking_number("") is None


def test_access_key_has_at_least_80_bits_and_is_only_stored_hashed():
    key = receipts.new_access_key()
    assert len(key) * 5 >= 80
    stored = receipts.hash_access_key(key)
    assert key not in stored
    assert receipts.check_access_key(key, stored)
    assert receipts.check_access_key(receipts.format_access_key(key).lower(), stored)
    assert not receipts.check_access_key(receipts.new_access_key(), stored)
    assert not receipts.check_access_key(key, "garbage")
    assert not receipts.check_access_key(key, "sha256$zz$00")


def test_keys_stored_by_the_earlier_slow_hash_still_open_their_clue_and_are_rehashed(staff):
    import hashlib

    from reporting.factories import ClueFactory
    from reporting.lifecycle import reporter

    clue = ClueFactory()
    key = receipts.new_access_key()
    salt = bytes(16)
    digest = hashlib.scrypt(key.encode(), salt=salt, dklen=32, n=2**14, r=8, p=1).hex()
    clue.access_key_hash = f"scrypt$16384$8$1${salt.hex()}${digest}"
    clue.save(update_fields=["access_key_hash"])
    assert reporter.find_clue_for_reporter(clue.tracking_number, "wrong") is None
    assert reporter.find_clue_for_reporter(clue.tracking_number, key) == clue
    clue.refresh_from_db()
    assert clue.access_key_hash.startswith("sha256$")
    assert reporter.find_clue_for_reporter(clue.tracking_number, key) == clue
