from __future__ import annotations

from identity.registry import national_id


def test_drawn_ids_are_valid_and_random() -> None:
    ids = {national_id.draw() for _ in range(2000)}
    assert len(ids) == 2000
    assert all(len(n) == 12 and n.isdigit() and n[0] != "0" for n in ids)
    assert all(national_id.is_valid(n) for n in ids)


def test_every_single_digit_error_is_caught() -> None:
    for _ in range(200):
        nid = national_id.draw()
        for pos in range(12):
            for digit in "0123456789":
                if digit == nid[pos]:
                    continue
                wrong = nid[:pos] + digit + nid[pos + 1 :]
                assert not national_id.is_valid(wrong), (nid, wrong)


def test_every_adjacent_transposition_is_caught() -> None:
    for _ in range(500):
        nid = national_id.draw()
        for pos in range(11):
            if nid[pos] == nid[pos + 1]:
                continue
            swapped = nid[:pos] + nid[pos + 1] + nid[pos] + nid[pos + 2 :]
            assert not national_id.is_valid(swapped), (nid, swapped)


def test_known_verhoeff_vector() -> None:
    # The classic example: 236 -> check digit 3.
    assert national_id.verhoeff_digit("236") == "3"
    assert not national_id.is_valid("12345")
    assert not national_id.is_valid("١٢٣٤٥٦٧٨٩٠١٢")  # Arabic-Indic digits are not accepted
