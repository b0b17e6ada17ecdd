from datetime import UTC, datetime, timedelta

import pytest
from django.db import IntegrityError, transaction

from rota.rotas.models import Assignment, Rota, RotaKind, Shift

pytestmark = pytest.mark.django_db

MONDAY = datetime(2026, 11, 30, 9, tzinfo=UTC)


def test_a_shift_must_end_after_it_starts(review_rota):
    with pytest.raises(IntegrityError), transaction.atomic():
        Shift.objects.create(rota=review_rota, key="x", starts_at=MONDAY, ends_at=MONDAY)


def test_one_person_holds_one_seat_of_a_shift(review_rota, volunteer):
    shift = Shift.objects.create(
        rota=review_rota, key="x", starts_at=MONDAY, ends_at=MONDAY + timedelta(days=7)
    )
    Assignment.objects.create(shift=shift, person=volunteer, role="reviewer")
    with pytest.raises(IntegrityError), transaction.atomic():
        Assignment.objects.create(shift=shift, person=volunteer, role="reviewer")


def test_a_cancelled_seat_does_not_block_the_person_taking_it_again(review_rota, volunteer):
    shift = Shift.objects.create(
        rota=review_rota, key="x", starts_at=MONDAY, ends_at=MONDAY + timedelta(days=7)
    )
    Assignment.objects.create(shift=shift, person=volunteer, role="reviewer", cancelled_at=MONDAY)
    Assignment.objects.create(shift=shift, person=volunteer, role="reviewer")
    assert Assignment.objects.active().count() == 1


def test_a_release_rota_seats_a_lead_and_a_shadow():
    rota = Rota.objects.create(name="Release", slug="release", kind=RotaKind.RELEASE)
    assert rota.roles == ["lead", "shadow"]
    assert rota.seat_roles == ("lead", "shadow")


def test_a_review_rota_repeats_its_role_for_every_seat(review_rota):
    assert review_rota.seat_roles == ("reviewer", "reviewer")


def test_a_rota_with_an_unknown_handoff_zone_is_refused_by_validation():
    from django.core.exceptions import ValidationError

    rota = Rota(name="X", slug="x", handoff_zone="Mars/Base")
    with pytest.raises(ValidationError) as error:
        rota.full_clean()
    assert "handoff_zone" in error.value.message_dict
