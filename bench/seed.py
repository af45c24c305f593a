"""Make a large, realistic forum fast, on SQLite or PostgreSQL, for measuring growth.

Defaults match issue 16: 200 sets, 5,000 people, 20,000 threads, 1,000,000 posts (one thread of
10,000 posts for the long-thread measurements). Rows go in by bulk insert (``COPY`` on
PostgreSQL, batched ``executemany`` on SQLite), with explicit ids, into an empty database that
the script brings up to date with the migrations first.

Usage::

    .venv/bin/python bench/seed.py --database sqlite:////tmp/big.db
    .venv/bin/python bench/seed.py --database postgresql+psycopg://postgres@127.0.0.1/big \\
        --posts 1000000

Every account's password is ``orchard-lantern-tidal-seven-quietly``; ``person1@example.org`` is
the facilitator of the first set (which holds the long thread) and ``person2@example.org`` its
moderator.

Like for like: two seeds of different sizes (the same ``--seed``) differ only in how much there
is, so that a page measured on both shows the same shape of page:

- Each thread is drawn by its own generator, seeded by ``--seed``, its set and its number in
  that set: the k-th thread of set s has the same opening author (by place in the set's member
  list), replies, authors, statuses, texts and words on every seed that has it, as far as the
  shorter of the two goes. The long thread is set-1's first.
- The first reply answers the opening post; every later reply answers the newest post of its
  thread or one of that post's ancestors (up to five above it, never the opening post), so a
  thread is one branch and reads in the order it was written: a long thread's first page
  holds its first 51 posts, the same posts as a seed whose long thread is one page long
  (``--long-thread 51``: the page of a longer thread draws the opening post and 50 replies).
- Replies, in every 150: 142 published, 5 waiting for a moderator (so that even the 10,000-post
  seed's set-1, about 1,000 posts, has more than a page of waiting posts for its moderation
  queue, as the larger seeds' have), 1 hidden, 1 returned to its author and 1 withdrawn.
"""

from __future__ import annotations

import argparse
import io
import itertools
import random
import sys
import time
from collections.abc import Iterable
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from datetime import timedelta
from pathlib import Path

import click
from sqlalchemy import bindparam
from sqlalchemy import inspect
from sqlalchemy import text
from sqlalchemy import update
from werkzeug.security import generate_password_hash

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from forum import create_app  # noqa: E402
from forum.extensions import db  # noqa: E402
from forum.models import LearningSet  # noqa: E402
from forum.models import Membership  # noqa: E402
from forum.models import ModerationPolicy  # noqa: E402
from forum.models import Post  # noqa: E402
from forum.models import PostStatus  # noqa: E402
from forum.models import Role  # noqa: E402
from forum.models import Thread  # noqa: E402
from forum.models import User  # noqa: E402
from forum.models import Visibility  # noqa: E402
from forum.search import schema as search_schema  # noqa: E402
from forum.text import render_markdown  # noqa: E402

PASSWORD = "orchard-lantern-tidal-seven-quietly"
START = datetime(2024, 1, 8, 9, 0)
BATCH = 20_000

FIRST = ["Aisha", "Tom", "Rosa", "Gareth", "Claire", "Dev", "Nadia", "Siobhan", "Marcus", "Priya",
         "Owen", "Fatima", "Euan", "Megan", "Kwame", "Hannah", "Iwan", "Ruth", "Sam", "Leila"]
LAST = ["Rahman", "Adeyemi", "Lindqvist", "Pryce", "Whitfield", "Patel", "Hussain", "Murphy",
        "Bell", "Shah", "Davies", "Okafor", "Campbell", "Jones", "Mensah", "Reid", "Evans"]
PLACES = ["Northbridge", "Eastmoor", "Kingsford", "Westvale", "Southholm", "Ashby", "Brackley",
          "Caldermouth", "Dunmere", "Elmstead", "Fairhaven", "Glenrothy", "Harwick", "Ilsworth"]
KINDS = ["Borough Council", "District Council", "County Council", "City Council",
         "Metropolitan Borough Council", "Combined Authority"]
TOPICS = ["recruitment letters", "the assembly's name", "local press", "social media",
          "closing the loop", "reporting back", "filming sessions", "councillor briefings",
          "evaluation", "the expert panel", "translation", "accessibility of venues",
          "paying participants", "the final report", "follow-up events", "budget"]
SENTENCES = [
    "We sent {n:,} letters and heard back from about {p} in a hundred households.",
    "Our communications team wanted a short name that people would remember after the event.",
    "The local paper ran two pieces, one before the first weekend and one on the results.",
    "Has anyone found a way to keep members involved once the recommendations are published?",
    "We briefed every group leader separately, which took longer but avoided surprises.",
    "A one-page summary in plain English did more than the full report ever could.",
    "The expert panel met online twice before the assembly to agree the evidence.",
    "We paid participants for their time and covered childcare, which widened who came.",
    "Short videos of members in their own words were shared far more than our press release.",
    "What would you do differently if you ran the recruitment again next year?",
    "Our evaluation partner interviewed members six months later about what had changed.",
    "Translation into three community languages cost less than we feared and was worth it.",
]


# A long-tailed vocabulary on top of the sentences above (whose words each sit in about one
# post in six, which no real forum's words do): word r of VOCABULARY_SIZE is drawn with weight
# 1/r**ZIPF_EXPONENT, a few per post, so a handful of words are common and most are rare, as
# in real text. The words are made up (pronounceable syllables, none an English word or a
# stem of another), so a search for one finds exactly the posts that drew it.
VOCABULARY_SIZE = 20_000
ZIPF_EXPONENT = 1.07
TAIL_WORDS = (4, 12)
_SYLLABLES = ["ba", "do", "ki", "lu", "ma", "ne", "po", "ra", "si", "tu", "vo", "za", "gri",
              "fen", "mol", "tak", "bru", "dal", "kin", "vor"]


def vocabulary() -> list[str]:
    """The tail's words, most frequent first (the same list on every run)."""
    words = []
    count = len(_SYLLABLES)
    for n in range(VOCABULARY_SIZE):
        a, b, c = n % count, (n // count) % count, (n // count // count) % count
        # Three syllables and a closing consonant: "bakilun"; distinct for every n < 8,000,
        # then a fourth syllable.
        word = _SYLLABLES[a] + _SYLLABLES[b] + _SYLLABLES[c]
        if n >= count ** 3:
            word += _SYLLABLES[n // count ** 3 % count]
        words.append(word + "x")
    return words


def zipf_share(rank: int) -> float:
    """The expected share of the tail's draws that are the word of this rank (1 = commonest)."""
    total = sum(1 / r ** ZIPF_EXPONENT for r in range(1, VOCABULARY_SIZE + 1))
    return (1 / rank ** ZIPF_EXPONENT) / total


class Tail:
    """Draws each post's long-tail words."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.words = vocabulary()
        weights = [1 / r ** ZIPF_EXPONENT for r in range(1, VOCABULARY_SIZE + 1)]
        self.cumulative = list(itertools.accumulate(weights))

    def sentence(self, rng: random.Random | None = None) -> str:
        rng = rng or self.rng
        count = rng.randint(*TAIL_WORDS)
        return " ".join(rng.choices(self.words, cum_weights=self.cumulative, k=count))


def _sentences(rng: random.Random, count: int) -> str:
    return " ".join(rng.choice(SENTENCES).format(n=rng.randrange(2, 30) * 1000,
                                                  p=rng.randrange(2, 9))
                    for _ in range(count))


def _bodies(rng: random.Random, count: int) -> list[tuple[str, str]]:
    """A pool of rendered post bodies (rendering a million would only measure markdown-it)."""
    pool = []
    for n in range(count):
        source = _sentences(rng, rng.randrange(1, 4))
        if n % 5 == 0:
            source += "\n\n- " + "\n- ".join(rng.sample(TOPICS, 3))
        if n % 7 == 0:
            source = "**" + rng.choice(TOPICS).capitalize() + ".** " + source
        pool.append((source, render_markdown(source)))
    return pool


def thread_generator(seed_value: int, set_id: int, number: int) -> random.Random:
    """The generator of the ``number``-th thread (0 first) of set ``set_id``: the same on every
    seed made with ``seed_value``, whatever its size."""
    return random.Random(f"{seed_value}:{set_id}:{number}")


# How far above the newest post a reply answers (0: the newest post itself), and how often.
REPLY_BACK = (0,) * 15 + (1, 1, 2, 3, 5)
# Per 150 replies: published, waiting, hidden, returned, withdrawn.
STATUS_MIX = ((PostStatus.APPROVED, 142), (PostStatus.PENDING, 5), (PostStatus.HIDDEN, 1),
              (PostStatus.REJECTED, 1), (PostStatus.WITHDRAWN, 1))


def _post_counts(threads: int, posts: int, long_thread: int) -> list[int]:
    """Posts per thread: the first thread is the long one, the rest share what is left."""
    rest = max(threads - 1, 1)
    remaining = max(posts - long_thread, rest)
    base, extra = divmod(remaining, rest)
    return [min(long_thread, posts)] + [base + (1 if n < extra else 0) for n in range(rest)]


class Writer:
    """Bulk insert: COPY on PostgreSQL, batched executemany on SQLite."""

    def __init__(self, connection) -> None:
        self.connection = connection
        self.postgres = connection.dialect.name == "postgresql"

    def write(self, table, columns: list[str], rows: Iterable[tuple]) -> int:
        written = 0
        batch: list[tuple] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= BATCH:
                written += self._flush(table, columns, batch)
                batch = []
        if batch:
            written += self._flush(table, columns, batch)
        return written

    @staticmethod
    def _defaults(table, columns: list[str]) -> tuple[list[str], tuple]:
        """Columns the rows leave out that have a Python-side default (COPY cannot apply it)."""
        names, values = [], []
        for column in table.columns:
            if column.name in columns or column.default is None or column.primary_key:
                continue
            default = column.default
            value = default.arg(None) if default.is_callable else default.arg
            names.append(column.name)
            values.append(value.value if hasattr(value, "value") else value)
        return names, tuple(values)

    def _flush(self, table, columns: list[str], batch: list[tuple]) -> int:
        extra_names, extra_values = self._defaults(table, columns)
        columns = columns + extra_names
        batch = [row + extra_values for row in batch]
        names = ", ".join(columns)
        if self.postgres:
            raw = self.connection.connection.driver_connection
            with raw.cursor() as cursor, cursor.copy(
                    f"COPY {table.name} ({names}) FROM STDIN") as copy:
                for row in batch:
                    copy.write_row(row)
        else:
            # The driver's own executemany, with values already in the form SQLAlchemy stores
            # (a datetime as text with microseconds), skips SQLAlchemy's per-row work.
            marks = ", ".join("?" * len(columns))
            self.connection.exec_driver_sql(
                f"INSERT INTO {table.name} ({names}) VALUES ({marks})",
                [tuple(_sqlite_value(value) for value in row) for row in batch])
        return len(batch)


def _sqlite_value(value: object) -> object:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, bool):
        return int(value)
    return value


# What the bulk load turns off and puts back: the posts' and threads' secondary indexes and
# their search index (built once at the end, faster than row by row).
BULK_TABLES = ("threads", "posts")


def _sqlite_pragmas(connection) -> None:
    """No fsync and a large page cache for the load (set before its transaction begins)."""
    if connection.dialect.name == "sqlite":
        raw = connection.connection.driver_connection
        for pragma in ("synchronous = OFF", "cache_size = -262144", "temp_store = MEMORY"):
            raw.execute(f"PRAGMA {pragma}")


@contextmanager
def _pragmas_then_begin(connection):
    _sqlite_pragmas(connection)
    with connection.begin():
        yield


def _before_bulk_load(connection) -> None:
    # SQLite: the FTS5 tables and their triggers; PostgreSQL: the GIN indexes (the generated
    # tsvector columns stay, computed as rows arrive).
    if connection.dialect.name == "sqlite":
        search_schema.drop(connection, BULK_TABLES)
    else:
        for table in BULK_TABLES:
            connection.exec_driver_sql(f"DROP INDEX IF EXISTS ix_{table}_search_vector")
    for model in (Thread, Post):
        for index in model.__table__.indexes:
            index.drop(connection)


def _after_bulk_load(connection) -> None:
    for model in (Thread, Post):
        for index in model.__table__.indexes:
            index.create(connection)
    # The search index's own code path (``flask search rebuild``): make it, fill it in bulk.
    search_schema.create_all(connection, BULK_TABLES)
    search_schema.forget_removed_text(connection)  # SQLite: merge the index into one segment


def seed(url: str, *, sets: int, people: int, threads: int, posts: int, long_thread: int,
         seed_value: int, body_pool: int = 2_000) -> dict[str, float]:
    rng = random.Random(seed_value)
    # No statement time limit: building the search index of 1,000,000 posts on a loaded
    # machine takes longer than a request may.
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "seed", "TESTING": True,
                      "LOG_FORMAT": "none", "DATABASE_STATEMENT_TIMEOUT": 0})
    timings: dict[str, float] = {}
    with app.app_context():
        import flask_migrate

        with db.engine.connect() as connection:
            if inspect(connection).has_table("posts") and connection.execute(
                    text("SELECT 1 FROM posts LIMIT 1")).first():
                raise SystemExit(f"{url} already holds posts: seed an empty database.")
        flask_migrate.upgrade()
        started = time.perf_counter()
        password_hash = generate_password_hash(PASSWORD)
        bodies = _bodies(rng, body_pool)
        tail = Tail(rng)
        with db.engine.connect() as connection, _pragmas_then_begin(connection):
            _before_bulk_load(connection)
            writer = Writer(connection)
            user_cols = ["id", "email", "password_hash", "display_name", "organisation",
                         "is_admin", "is_disabled", "credit_preference", "created_at"]
            organisations = [f"{place} {kind}" for place in PLACES for kind in KINDS]
            writer.write(User.__table__, user_cols, (
                (n, f"person{n}@example.org", password_hash,
                 f"{rng.choice(FIRST)} {rng.choice(LAST)}", rng.choice(organisations),
                 n == people, False, "organisation", START)
                for n in range(1, people + 1)))

            set_cols = ["id", "slug", "name", "purpose", "visibility", "moderation_policy",
                        "new_member_post_threshold", "created_at"]
            visibilities = [Visibility.PRIVATE] * 6 + [Visibility.NETWORK] * 3 + [
                Visibility.PUBLIC]
            policies = list(ModerationPolicy)
            writer.write(LearningSet.__table__, set_cols, (
                (n, f"set-{n}", f"{rng.choice(PLACES)} set {n}: {rng.choice(TOPICS)}",
                 "An action-learning set of councils running deliberative projects.",
                 visibilities[n % len(visibilities)].value, policies[n % len(policies)].value,
                 3, START)
                for n in range(1, sets + 1)))

            members_per_set = max(3, min(40, people * 2 // max(sets, 1)))
            members: dict[int, list[int]] = {}
            membership_rows = []
            for set_id in range(1, sets + 1):
                chosen = [1, 2] if set_id == 1 else []
                chosen += rng.sample(range(3, people), members_per_set - len(chosen))
                members[set_id] = chosen
                for position, user_id in enumerate(chosen):
                    role = (Role.FACILITATOR if position == 0 else
                            Role.MODERATOR if position == 1 else Role.MEMBER)
                    membership_rows.append((user_id, set_id, role.value, START))
            writer.write(Membership.__table__, ["user_id", "learning_set_id", "role",
                                                "created_at"], membership_rows)
            timings["people and sets"] = time.perf_counter() - started

            counts = _post_counts(threads, posts, long_thread)
            thread_sets = [1] + [(n - 1) % sets + 1 for n in range(2, len(counts) + 1)]
            # Each thread's number in its set (the long thread is set-1's first), and so its
            # generator and opening author (like for like: see the module's docstring).
            numbers: list[int] = []
            in_set: dict[int, int] = {}
            for set_id in thread_sets:
                numbers.append(in_set.get(set_id, 0))
                in_set[set_id] = numbers[-1] + 1

            def opener(thread_id: int) -> int:
                people_here = members[thread_sets[thread_id - 1]]
                return people_here[numbers[thread_id - 1] % len(people_here)]

            writer.write(Thread.__table__, ["id", "learning_set_id", "author_id", "title",
                                            "created_at", "last_activity_at"], (
                (thread_id, set_id, opener(thread_id),
                 f"{TOPICS[thread_id % len(TOPICS)].capitalize()}: what worked? ({thread_id})",
                 START + timedelta(minutes=thread_id * 7), START)
                for thread_id, set_id in enumerate(thread_sets, start=1)))
            post_cols = ["id", "thread_id", "author_id", "parent_id", "depth", "body_source",
                         "body_html", "status", "created_at"]
            statuses = [status.value for status, weight in STATUS_MIX for _ in range(weight)]
            last_activity: list[dict[str, object]] = []

            def post_rows() -> Iterator[tuple]:
                post_id = 0
                for thread_id, count in enumerate(counts, start=1):
                    set_id = thread_sets[thread_id - 1]
                    draw = thread_generator(seed_value, set_id, numbers[thread_id - 1])
                    people_here = members[set_id]
                    at = START + timedelta(minutes=thread_id * 7)
                    # The newest post and its ancestors, oldest first: (id, depth).
                    spine: list[tuple[int, int]] = []
                    replies = waiting = 0
                    for n in range(count):
                        post_id += 1
                        author = (opener(thread_id) if n == 0
                                  else people_here[draw.randrange(len(people_here))])
                        source, html = bodies[draw.randrange(len(bodies))]
                        # Each post's own long-tail words, as a last paragraph (plain
                        # lowercase letters: safe in HTML as they are).
                        words = tail.sentence(draw)
                        source, html = f"{source}\n\n{words}", f"{html}<p>{words}</p>"
                        if n == 0:
                            parent, depth, status = None, 0, PostStatus.APPROVED.value
                        else:
                            # Never back to the opening post once it has its answer: a
                            # thread is one conversation, its first page its first posts.
                            back = min(draw.choice(REPLY_BACK), max(len(spine) - 2, 0))
                            del spine[len(spine) - back:]
                            parent, parent_depth = spine[-1]
                            depth = min(parent_depth + 1, 8)
                            status = draw.choice(statuses)
                            replies += status == PostStatus.APPROVED.value
                            waiting += status == PostStatus.PENDING.value
                        spine.append((post_id, depth))
                        yield (post_id, thread_id, author, parent, depth, source, html,
                               status, at)
                        at += timedelta(minutes=draw.randrange(1, 90))
                    # The thread's copies of its posts (forum.models.thread.refresh_threads).
                    last_activity.append({"thread": thread_id, "last": at,
                                          "opening": opener(thread_id),
                                          "replies": replies, "waiting": waiting})

            with click.progressbar(length=posts, label="posts", file=sys.stderr) as bar:
                batch: list[tuple] = []
                for row in post_rows():
                    batch.append(row)
                    if len(batch) >= BATCH:
                        writer.write(Post.__table__, post_cols, batch)
                        bar.update(len(batch))
                        batch = []
                writer.write(Post.__table__, post_cols, batch)
                bar.update(len(batch))
            table = Thread.__table__
            connection.execute(
                update(table).where(table.c.id == bindparam("thread"))
                .values(last_activity_at=bindparam("last"),
                        opening_status=PostStatus.APPROVED.value,
                        opening_author_id=bindparam("opening"),
                        reply_count=bindparam("replies"), waiting_count=bindparam("waiting")),
                last_activity)
            timings["threads and posts"] = time.perf_counter() - started - timings[
                "people and sets"]
            _after_bulk_load(connection)
            timings["indexes and search index"] = (time.perf_counter() - started
                                                   - sum(timings.values()))
            if writer.postgres:
                for table in ("users", "learning_sets", "memberships", "threads", "posts"):
                    connection.execute(text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT max(id) FROM {table}))"))
        with db.engine.begin() as connection:
            connection.execute(text("ANALYZE"))
        timings["total"] = time.perf_counter() - started
        db.engine.dispose()
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", required=True, help="SQLAlchemy URL of an empty database")
    parser.add_argument("--sets", type=int, default=200)
    parser.add_argument("--people", type=int, default=5_000)
    parser.add_argument("--threads", type=int, default=20_000)
    parser.add_argument("--posts", type=int, default=1_000_000)
    parser.add_argument("--long-thread", type=int, default=10_000,
                        help="posts in set-1's first thread (10,000); 51 for a small seed whose "
                             "long thread fills one page as the 10,000-post one's first page "
                             "does (its opening post and 50 replies)")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    timings = seed(args.database, sets=args.sets, people=args.people, threads=args.threads,
                   posts=args.posts, long_thread=args.long_thread, seed_value=args.seed)
    out = io.StringIO()
    for name, seconds in timings.items():
        out.write(f"{name}: {seconds:.1f} s\n")
    print(out.getvalue(), end="")


if __name__ == "__main__":
    main()
