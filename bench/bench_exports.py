"""Bench: what guide files cost to make, to publish and to download, against their targets.

Run from the checkout: ``.venv/bin/python bench/bench_exports.py [--excerpts 1000]
[--gunicorn]``. Each part runs in a subprocess of its own, over a temporary SQLite database
and a temporary folder of kept files, and reports wall and CPU time separately:

- **files**: a published guide of 1,000 excerpts (10 sections, ~400-character posts by 20
  members with every kind of credit): its kept PDF, DOCX and ODT made one after another.
  Target: under 15 s of CPU in all (each renderer is single-threaded: on an idle machine
  that is its wall time).
- **publish**: the demo guide published through its page (POST, as its facilitator). Target:
  the answer in under 3 s of wall time. Its kept files are made after the answer by the
  process's background maker; the time until they are all kept is reported beside it.
- **download**: a published version's PDF, DOCX and ODT downloaded (the 1,000-excerpt
  guide's, so the largest files), beside a static file of the same size served by the same
  app; median of ``--requests`` requests. Target: under 50 ms of wall time. With
  ``--gunicorn`` the same requests go over HTTP to gunicorn (1 sync worker) as well.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parent.parent
SECRET_KEY = "bench-only-not-a-secret"
TARGETS = {"files": 15.0, "publish": 3.0, "download": 0.050}
BIG_SLUG = "bench-guide"
HTTPS = "https://localhost"  # the site's address is https: plain http is redirected


def _config(folder: Path) -> dict[str, object]:
    return {"SECRET_KEY": SECRET_KEY, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.db",
            "GUIDE_FILES_DIR": str(folder / "files"), "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False, "PUBLIC_BASE_URL": "https://learning.example.gov.uk"}


def _timed(action):
    start, start_cpu = time.perf_counter(), time.process_time()
    result = action()
    return result, time.perf_counter() - start, time.process_time() - start_cpu


def _build_big_guide(excerpts: int, sections: int) -> int:
    """A public set's thread of ``excerpts`` replies, all quoted in a guide; its id."""
    from forum.extensions import db
    from forum.guides import service
    from forum.models import CreditPreference
    from forum.models import Visibility
    from tests import factories
    from tests.unit.test_guide_exports import _SENTENCES

    preferences = list(CreditPreference)
    authors = [factories.make_user(display_name=f"Member {n}", organisation=f"Council {n}")
               for n in range(20)]
    for n, author in enumerate(authors):
        author.credit_preference = preferences[n % len(preferences)]
    learning_set = factories.make_set(slug="bench", visibility=Visibility.PUBLIC)
    thread = factories.make_thread(learning_set, authors[0], title="Bench thread")
    posts = []
    for n in range(excerpts):
        words = " ".join(_SENTENCES[(n + i) % len(_SENTENCES)] for i in range(9)).split()[:65]
        words[0] = f"**{words[0]}**"
        if n % 2:
            words[len(words) // 2] += "\n\n"
        posts.append(factories.make_post(thread, authors[n % len(authors)], body=" ".join(words)))
    guide = service.create_guide(db.session, learning_set=learning_set, creator=authors[0],
                                 title="Bench guide", thread_ids=[thread.id])
    guide.slug = BIG_SLUG
    per_section = excerpts // sections
    for s in range(sections):
        section = service.add_section(db.session, guide, title=f"Section {s + 1}")
        for post in posts[s * per_section:(s + 1) * per_section]:
            service.add_excerpt(db.session, section, post)
    db.session.commit()
    return guide.id


def child_files(folder: Path, excerpts: int, sections: int) -> dict:
    sys.path.insert(0, str(CHECKOUT))
    from forum import create_app
    from forum.extensions import db
    from forum.guides import compile as compiler
    from forum.guides import files
    from forum.guides.export import FORMATS
    from forum.guides.export.storage import storage_for
    from forum.models import Guide

    app = create_app(_config(folder))
    with app.app_context():
        db.create_all()
        guide = db.session.get(Guide, _build_big_guide(excerpts, sections))
        version = compiler.publish(db.session, guide, by=None)
        db.session.commit()
        storage = storage_for()
        results = {}
        for name in files.STORED_FORMATS:
            __import__(FORMATS[name].module)  # loading a renderer is not making a file
            if name == "pdf":
                import weasyprint  # noqa: F401
            row, wall, cpu = _timed(lambda n=name: files.make_version_file(
                db.session, storage, version, n, files.MEMBERS))
            results[name] = {"wall": wall, "cpu": cpu, "bytes": row.size}
        db.session.commit()
    return results


def _download_timings(get, paths: dict[str, str], requests: int) -> dict:
    results = {}
    for label, path in paths.items():
        size = len(get(path))  # warm up (and check)
        walls, cpus = [], []
        for _ in range(requests):
            _, wall, cpu = _timed(lambda p=path: get(p))
            walls.append(wall)
            cpus.append(cpu)
        results[label] = {"wall": statistics.median(walls), "cpu": statistics.median(cpus),
                          "p95": sorted(walls)[int(len(walls) * 0.95) - 1], "bytes": size}
    return results


def _download_paths(folder: Path) -> dict[str, str]:
    from forum.guides.files import STORED_FORMATS

    paths = {name: f"/guides/{BIG_SLUG}/v1/download/{name}" for name in STORED_FORMATS}
    paths["static file (same size as the PDF)"] = "/static/bench-guide.pdf"
    return paths


def child_download(folder: Path, requests: int) -> dict:
    sys.path.insert(0, str(CHECKOUT))
    from forum import create_app

    app = create_app(_config(folder))
    client = app.test_client()

    def get(path: str) -> bytes:
        response = client.get(path, base_url=HTTPS)
        assert response.status_code == 200, (path, response.status_code)
        return response.get_data()

    return _download_timings(get, _download_paths(folder), requests)


def child_publish(folder: Path) -> dict:
    sys.path.insert(0, str(CHECKOUT))
    from sqlalchemy import select

    from forum import create_app
    from forum.demo import load_demo
    from forum.demo.guide import GUIDE_SLUG
    from forum.extensions import db
    from forum.models import Guide

    app = create_app(_config(folder))
    with app.app_context():
        db.create_all()
        load_demo(db.session)
        db.session.commit()
        guide = db.session.scalar(select(Guide).where(Guide.slug == GUIDE_SLUG))
        url = f"/sets/{guide.learning_set.slug}/guides/{guide.id}/publish"
        facilitator_id = guide.created_by_id
        excerpts = sum(len(s.excerpts) for s in guide.sections)
    # Warm the renderers' imports, as a running worker would have them after its first file.
    import weasyprint  # noqa: F401

    import forum.guides.export.docx  # noqa: F401
    import forum.guides.export.odt  # noqa: F401
    client = app.test_client()
    with app.app_context():
        from forum.models import User
        session_id = db.session.get(User, facilitator_id).get_id()  # id and session version
    with client.session_transaction(base_url=HTTPS) as session:
        session["_user_id"] = session_id
        session["_fresh"] = True
    from forum.guides.background import file_maker

    response, wall, cpu = _timed(lambda: client.post(url, base_url=HTTPS))
    assert response.headers["Location"].startswith(("/guides/", f"{HTTPS}/guides/")), (
        response.headers["Location"])
    assert response.status_code == 302, response.status_code
    with app.app_context():
        from forum.models import GuideFile
        at_answer = len(db.session.scalars(select(GuideFile)).all())
    maker = file_maker(app)
    assert maker is not None, "GUIDE_FILES_IN_BACKGROUND is off"
    # The server closes the response once sent, which wakes the maker; time until it is done.
    _, files_wall, files_cpu = _timed(lambda: (response.close(), maker.wait_idle(600)))
    with app.app_context():
        made = len(db.session.scalars(select(GuideFile)).all())
    return {"publish": {"wall": wall, "cpu": cpu, "excerpts": excerpts, "files": made,
                        "files_at_answer": at_answer, "files_wall": files_wall,
                        "files_cpu": files_cpu}}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def gunicorn_download(folder: Path, requests: int) -> dict:
    """The same downloads over HTTP from gunicorn (1 sync worker)."""
    port = _free_port()
    env = {**os.environ, "FORUM_SECRET_KEY": SECRET_KEY,
           "FORUM_SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.db",
           "FORUM_GUIDE_FILES_DIR": str(folder / "files"),
           "FORUM_PUBLIC_BASE_URL": "https://learning.example.gov.uk",
           # Behind a TLS proxy, as in production (else every request is sent to https).
           "FORUM_TRUSTED_PROXY_COUNT": "1"}
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "-w", "1", "-b", f"127.0.0.1:{port}",
         "forum:create_app()"], cwd=CHECKOUT, env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)

        def get(path: str) -> bytes:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            connection.request("GET", path, headers={"X-Forwarded-Proto": "https",
                                                     "X-Forwarded-For": "127.0.0.1"})
            response = connection.getresponse()
            body = response.read()
            connection.close()
            assert response.status == 200, (path, response.status)
            return body

        return _download_timings(get, _download_paths(folder), requests)
    finally:
        server.terminate()
        server.wait(timeout=10)


def _run_child(*args: str, options: list[str]) -> dict:
    completed = subprocess.run([sys.executable, __file__, *options, "--child", *args],
                               capture_output=True, text=True, cwd=CHECKOUT)
    if completed.returncode:
        sys.stderr.write(completed.stderr)
        raise SystemExit(f"bench child {args[0]} failed")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def _line(what: str, wall: float, cpu: float, target: str = "", ok: bool | None = None,
          extra: str = "") -> str:
    verdict = "" if ok is None else ("yes" if ok else "NO")
    return f"{what:<52} {wall:>9.3f} {cpu:>8.3f}  {target:<16} {verdict:<4}{extra}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--excerpts", type=int, default=1000)
    parser.add_argument("--sections", type=int, default=10)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--gunicorn", action="store_true",
                        help="also time the downloads over HTTP from gunicorn")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        part, folder = args.child[0], Path(args.child[1])
        result = {"files": lambda: child_files(folder, args.excerpts, args.sections),
                  "download": lambda: child_download(folder, args.requests),
                  "publish": lambda: child_publish(folder)}[part]()
        print(json.dumps(result))
        return 0

    options = ["--excerpts", str(args.excerpts), "--sections", str(args.sections),
               "--requests", str(args.requests)]
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} "
          f"(wall time includes waiting for the neighbours; CPU time is the work itself)\n")
    print(f"{'':<52} {'wall s':>9} {'CPU s':>8}  {'target':<16} ok")
    failures = 0
    with tempfile.TemporaryDirectory(prefix="bench-exports-") as tmp:
        big = Path(tmp) / "big"
        big.mkdir()
        files = _run_child("files", str(big), options=options)
        total_cpu = sum(r["cpu"] for r in files.values())
        for name, r in files.items():
            print(_line(f"make {name} of {args.excerpts} excerpts ({r['bytes'] / 1024:.0f} KiB)",
                        r["wall"], r["cpu"]))
        ok = total_cpu < TARGETS["files"]
        failures += not ok
        print(_line("  all three kept files", sum(r["wall"] for r in files.values()), total_cpu,
                    f"CPU < {TARGETS['files']:g} s", ok))

        demo = Path(tmp) / "demo"
        demo.mkdir()
        publish = _run_child("publish", str(demo), options=options)["publish"]
        ok = publish["wall"] < TARGETS["publish"]
        failures += not ok
        print(_line(f"publish the demo guide ({publish['excerpts']} excerpts; "
                    f"{publish['files_at_answer']} files at the answer)", publish["wall"],
                    publish["cpu"], f"wall < {TARGETS['publish']:g} s", ok))
        print(_line(f"  then its {publish['files']} files, made in the background",
                    publish["files_wall"], publish["files_cpu"]))

        # A static file as large as the kept PDF, served by the same app.
        pdf = next((big / "files").rglob("*.pdf"))
        static = Path(CHECKOUT / "static" / "bench-guide.pdf")
        shutil.copyfile(pdf, static)
        try:
            runs = [("test client", _run_child("download", str(big), options=options))]
            if args.gunicorn:
                runs.append(("gunicorn", gunicorn_download(big, args.requests)))
        finally:
            static.unlink(missing_ok=True)
        for server, downloads in runs:
            for label, r in downloads.items():
                is_static = label.startswith("static")
                ok = r["wall"] < TARGETS["download"]
                failures += not (ok or is_static)
                print(_line(f"download {label} ({server})", r["wall"], r["cpu"],
                            "" if is_static else f"wall < {TARGETS['download'] * 1000:g} ms",
                            None if is_static else ok,
                            f"  p95 {r['p95'] * 1000:.1f} ms, {r['bytes'] / 1024:.0f} KiB"))
    print("\nDownload times are medians of "
          f"{args.requests} requests; CPU for gunicorn runs is the client's only.")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
