from __future__ import annotations

import pytest
from django.test import Client

from accounts.models import User
from rota.github.models import Repository
from rota.github.sealing import SealBroken, seal, unseal


def test_secrets_are_stored_sealed_and_opened_with_the_key(repository: Repository) -> None:
    stored = Repository.objects.get(pk=repository.pk)
    assert "Secret to Everybody" not in stored.webhook_secret_sealed
    assert "github_pat_test" not in stored.token_sealed
    assert stored.webhook_secret() == "It's a Secret to Everybody"
    assert stored.token() == "github_pat_test"


def test_a_sealed_secret_does_not_open_under_another_secret_key(settings: object) -> None:
    sealed = seal("hush")
    settings.SECRET_KEY = "another-key-" + "x" * 60  # type: ignore[attr-defined]
    with pytest.raises(SealBroken):
        unseal(sealed)


def test_the_admin_never_shows_a_saved_secret_again(
    client: Client, repository: Repository, db: None
) -> None:
    admin = User.objects.create_superuser("root", "root@example.org", "pw-for-tests-only-1")
    client.force_login(admin)
    page = client.get(f"/admin/github/repository/{repository.pk}/change/").content.decode()
    assert "Secret to Everybody" not in page
    assert "github_pat_test" not in page
    assert repository.webhook_secret_sealed not in page
    assert "webhook secret, token" in page  # says what is stored, not what it is
