import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_logged_in(client, django_user_model):
    admin = django_user_model.objects.create_superuser("boss", "boss@example.org", "pw")
    client.force_login(admin)
    return client


def _inline_data(user, windows):
    data = {
        "working_hours-TOTAL_FORMS": str(len(windows)),
        "working_hours-INITIAL_FORMS": "0",
        "working_hours-MIN_NUM_FORMS": "0",
        "working_hours-MAX_NUM_FORMS": "1000",
        "time_off-TOTAL_FORMS": "0",
        "time_off-INITIAL_FORMS": "0",
        "time_off-MIN_NUM_FORMS": "0",
        "time_off-MAX_NUM_FORMS": "1000",
    }
    for index, (weekday, start, end) in enumerate(windows):
        data[f"working_hours-{index}-weekday"] = str(weekday)
        data[f"working_hours-{index}-start"] = start
        data[f"working_hours-{index}-end"] = end
        data[f"working_hours-{index}-user"] = str(user.pk)
    return data


def _user_data(user, **overrides):
    data = {
        "username": user.username,
        "email": user.email,
        "display_name": user.display_name,
        "time_zone": user.time_zone,
        "country": user.country,
        "organisation": user.organisation,
        "date_joined_0": "2026-01-01",
        "date_joined_1": "00:00:00",
        "is_active": "on",
    }
    data.update(overrides)
    return data


def test_the_admin_refuses_overlapping_working_hours_and_keeps_the_old_ones(
    admin_client_logged_in, volunteer
):
    data = _user_data(volunteer) | _inline_data(
        volunteer, [(2, "09:00", "13:00"), (2, "12:00", "18:00")]
    )
    response = admin_client_logged_in.post(f"/admin/accounts/user/{volunteer.pk}/change/", data)
    assert response.status_code == 200
    assert "overlaps" in response.content.decode()
    assert volunteer.working_hours.count() == 5


def test_the_admin_names_a_bad_time_zone_field(admin_client_logged_in, volunteer):
    data = _user_data(volunteer, time_zone="Mars/Base") | _inline_data(volunteer, [])
    response = admin_client_logged_in.post(f"/admin/accounts/user/{volunteer.pk}/change/", data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "time_zone" in errors
    volunteer.refresh_from_db()
    assert volunteer.time_zone == "Asia/Kolkata"


@pytest.mark.parametrize(
    "url",
    [
        "/admin/accounts/user/",
        "/admin/accounts/timeoff/",
        "/admin/accounts/workinghours/",
        "/admin/rotas/rota/",
        "/admin/rotas/membership/",
        "/admin/rotas/shift/",
        "/admin/rotas/assignment/",
        "/admin/rotas/release/",
        "/admin/rotas/swaprequest/",
        "/admin/rotas/component/",
        "/admin/rotas/planrun/",
    ],
)
def test_every_model_has_an_admin_list_with_search(admin_client_logged_in, url, member):
    response = admin_client_logged_in.get(url, {"q": "vera"})
    assert response.status_code == 200
