"""Member organisations as records: the upgrade makes them from what people typed (merging only
exact matches after trimming and case), admins add more, people are linked to theirs by name,
and the network members page lists those whose people let them be credited."""

from __future__ import annotations

from sqlalchemy import select

from forum import organisations
from forum.extensions import db
from forum.models import CreditPreference
from forum.models import LearningSet
from forum.models import Organisation
from forum.models import User
from forum.models import Visibility
from tests import factories

ADD = {"name": "Kingsford Borough Council", "kind": "london_borough", "nation": "england",
       "website": "https://kingsford.example.org"}


def _org_id(app, user) -> int | None:
    with app.app_context():
        return db.session.get(User, user.id).organisation_id


def test_an_admin_adds_an_organisation_and_people_who_typed_it_are_linked(app, client, world):
    with app.app_context():
        typed = factories.make_user(organisation="  kingsford borough council ")
        other = factories.make_user(organisation="Kingsford Borough Council (Housing)")
        db.session.commit()
        typed_id, other_id = typed.id, other.id
    client.sign_in_as(world.admin)
    page = client.get("/admin/organisations")
    assert page.status_code == 200 and "Add an organisation" in page.text
    done = client.post("/admin/organisations", data=ADD)
    assert "Kingsford Borough Council is on the list." in client.get(done.headers["Location"]).text
    with app.app_context():
        record = db.session.scalar(select(Organisation))
        assert db.session.get(User, typed_id).organisation_id == record.id
        assert db.session.get(User, other_id).organisation_id is None  # not an exact match

    again = client.post("/admin/organisations", data={**ADD, "name": "KINGSFORD borough council"})
    assert again.status_code == 200
    assert "KINGSFORD borough council is already on the list." in again.text
    assert 'value="KINGSFORD borough council"' in again.text
    bad = client.post("/admin/organisations", data={**ADD, "name": "", "website": "ftp://x"})
    assert "Enter the organisation&#39;s name" in bad.text
    assert 'value="ftp://x"' in bad.text


def test_a_name_in_other_accented_capitals_is_the_same_organisation(app, client, world):
    """SQLite's lower() folds ASCII letters only: "ÉCOLE" and "école" were two organisations
    there (not on PostgreSQL), and someone who typed the name in capitals was not linked."""
    with app.app_context():
        typed = factories.make_user(organisation="CONSEIL DE L'ÎLE-DE-KINGSFORD")
        db.session.commit()
        typed_id = typed.id
    client.sign_in_as(world.admin)
    client.post("/admin/organisations", data={**ADD, "name": "Conseil de l'Île-de-Kingsford"})
    again = client.post("/admin/organisations",
                        data={**ADD, "name": "conseil de l'île-de-kingsford"})
    assert again.status_code == 200 and "is already on the list." in again.text
    assert 'value="conseil de l&#39;île-de-kingsford"' in again.text
    with app.app_context():
        [record] = db.session.scalars(select(Organisation)).all()
        assert db.session.get(User, typed_id).organisation_id == record.id


def test_a_name_that_folds_to_many_more_characters_is_added(app, client, world):
    """Case folding may lengthen a name: U+FDFA spells out 18 characters, so 20 of them gave
    a key of 360, which PostgreSQL refused (a server error) and SQLite saved."""
    name = "\ufdfa" * 20
    client.sign_in_as(world.admin)
    added = client.post("/admin/organisations", data={**ADD, "name": name},
                        follow_redirects=True)
    assert added.status_code == 200
    again = client.post("/admin/organisations", data={**ADD, "name": name})
    assert again.status_code == 200 and "is already on the list." in again.text
    with app.app_context():
        assert db.session.scalars(select(Organisation.name)).all() == [name]


def test_the_profile_links_the_typed_organisation_and_suggests_names(app, client, world):
    client.sign_in_as(world.admin)
    client.post("/admin/organisations", data=ADD)
    client.sign_in_as(world.member)
    page = client.get("/account/profile").text
    assert '<option value="Kingsford Borough Council">' in page
    assert "not on the network’s list yet" in page
    client.post("/account/profile", data={"display_name": "Mo Member",
                                          "organisation": "Kingsford Borough Council",
                                          "credit_preference": "organisation"})
    assert _org_id(app, world.member) is not None
    assert "On the network’s list as <bdi>Kingsford Borough Council</bdi> (London borough, " \
        "England)." in client.get("/account/profile").text


def test_the_members_page_lists_only_credited_organisations_with_their_sets(app, client, world):
    client.sign_in_as(world.admin)
    client.post("/admin/organisations", data=ADD)
    client.post("/admin/organisations", data={**ADD, "name": "Quietshire County Council",
                                               "kind": "county", "website": ""})
    with app.app_context():
        member = db.session.get(User, world.member.id)
        member.organisation = "Kingsford Borough Council"
        quiet = factories.make_user(organisation="Quietshire County Council",
                                    credit_preference=CreditPreference.ANONYMOUS)
        factories.add_member(quiet, db.session.get(LearningSet, world.learning_set.id))
        db.session.flush()
        organisations.link(db.session, member)
        organisations.link(db.session, quiet)
        db.session.commit()
    client.sign_out()
    page = client.get("/network/organisations").text
    assert "Kingsford Borough Council" in page and "London borough, England" in page
    assert "Quietshire" not in page  # its only person asked to be anonymous
    client.sign_in_as(world.member)
    page = client.get("/network/organisations").text
    assert '<td class="govuk-table__cell govuk-table__cell--numeric">1</td>' in page


SETS_CELL = '<td class="govuk-table__cell govuk-table__cell--numeric">{}</td>'


def test_the_members_page_counts_only_the_sets_its_reader_may_read(app, client, world):
    """A private set counted for everyone would tell outsiders that it exists (and that the
    organisation's people are in it): each reader's count leaves out the sets they cannot
    read."""
    client.sign_in_as(world.admin)
    client.post("/admin/organisations", data=ADD)
    with app.app_context():
        member = db.session.get(User, world.member.id)
        member.organisation = "Kingsford Borough Council"
        network = factories.make_set(visibility=Visibility.NETWORK)
        factories.add_member(member, network)
        organisations.link(db.session, member)
        db.session.commit()
    expected = {"visitor": 0, "outsider": 1, "member": 2, "admin": 2}
    counts = {}
    for name in expected:
        client.sign_out()
        if name != "visitor":
            client.sign_in_as(getattr(world, name))
        page = client.get("/network/organisations").text
        assert "Kingsford Borough Council" in page
        counts[name] = next(n for n in range(4) if SETS_CELL.format(n) in page)
    assert counts == expected


def test_the_upgrade_makes_records_from_typed_names(tmp_path):
    """Run the migrations on a fresh SQLite file with people in it before the change."""
    import sqlalchemy as sa
    from alembic import command
    from flask_migrate import Migrate  # noqa: F401 (the app below configures it)

    from forum import create_app

    url = f"sqlite:///{tmp_path / 'upgrade.db'}"
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": url,
                      "RATELIMIT_STORAGE_URI": "memory://"})
    with app.app_context():
        config = app.extensions["migrate"].migrate.get_config()
        command.upgrade(config, "e3a9c5d7f2b1")
        engine = sa.create_engine(url)
        with engine.begin() as connection:
            for n, typed in enumerate(["Camden Council", " camden council", "Camden Council ",
                                       "Camden Borough", ""]):
                connection.execute(sa.text(
                    "INSERT INTO users (email, password_hash, display_name, organisation, "
                    "is_admin, is_disabled, credit_preference, created_at, session_version, "
                    "is_network_coordinator) VALUES (:e, 'x', 'P', :o, 0, 0, 'organisation', "
                    "'2026-01-01 00:00:00', 0, 0)"), {"e": f"p{n}@example.org", "o": typed})
        command.upgrade(config, "head")
        with engine.connect() as connection:
            names = sorted(connection.execute(sa.text("SELECT name FROM organisations")).scalars())
            linked = connection.execute(sa.text(
                "SELECT organisation, organisation_id FROM users ORDER BY id")).all()
        engine.dispose()
    assert names == ["Camden Borough", "Camden Council"]
    assert len({org for _, org in linked[:3]}) == 1 and linked[0][1] is not None
    assert linked[3][1] not in (None, linked[0][1]) and linked[4][1] is None
