"""MusicBrainz matching accuracy on a generated, damaged library whose true releases are known.

    python -m benchmarks.mb_accuracy [--albums N] [--seed S] [--noise M] [--json]

A catalogue of generated releases (``tests.mbserver.generate_releases`` on top of the
hand-written test catalogue, plus decoys and deluxe editions made here) is served by the
local WS/2 server on 127.0.0.1. A real SQLite library on disk gets one album per true
release, damaged as real libraries are (one damage kind per album, in turn: see
``KINDS``). Then the real enrichment runs (``libtool.service.enrichment.enrich``, over
real HTTP, no rate limit) and every stored proposal is checked against the truth:

- right: the best candidate is the album's true release;
- auto-applied / wrong auto-applies: ``proposals.should_auto_apply`` with the default
  minimum score (96), the rule ``mlib enrich --apply`` follows;
- requests per album: from the server's request log.

Targets (on the damaged set: every kind but ``clean`` and ``tagged_mbid``): at least 95 %
right, at most 2 requests per album on average, no wrong auto-apply. Exit code 0 when
they are met, 1 when one is missed.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select

from libtool.config import load_settings
from libtool.db.albums import rebuild_albums
from libtool.db.models import Proposal
from libtool.events import Event, Matched
from libtool.musicbrainz import proposals as props
from libtool.musicbrainz.match import Recommendation
from libtool.service.core import Service
from libtool.service.enrichment import EnrichOptions, enrich, make_client
from tests.factories import add_tracks
from tests.mbserver import Catalogue, MBServer
from tests.mbserver.catalogue import fake_mbid, generate_releases

MIN_SCORE = 96.0  # the default musicbrainz.min_score
TARGET_RIGHT = 0.95
TARGET_REQUESTS = 2.0

#: damage kinds, one per album in turn; "clean" and "tagged_mbid" are controls
KINDS: tuple[str, ...] = (
    "clean",
    "tagged_mbid",  # files already carry the release's MBID
    "typo_titles",  # 1-3 track titles misspelt
    "typo_album",
    "typo_artist",  # artist and album artist misspelt
    "no_track_numbers",  # no track numbers in tags or file names
    "no_albumartist",
    "shuffled_names",  # no track number tags; file names name other tracks
    "lengths_off",  # every length off by 1-2 s
    "missing_track",
    "bonus_track",  # one extra file not on the release
    "untagged",  # no tags: only "Artist/Album (Year)/NN Title.flac"
    "decoy",  # the catalogue has the same title by another artist
    "deluxe",  # the catalogue has a deluxe edition in the same release group
    "deluxe_local",  # the files are the deluxe edition (the standard one exists)
    "two_disc",  # Disc 1/Disc 2 folders, no disc tags
    "combined",  # album + title typos, lengths off, no album artist, shuffled, and a decoy
    "reissue",  # a reissue in the same release group (same tracks, later date, elsewhere)
    "cover_decoy",  # no artist tags; another artist's album has the same title and tracks
    "absent",  # the release is not in the catalogue; two lookalikes by others are
)
CONTROLS = frozenset({"clean", "tagged_mbid"})
#: kinds whose true release the server does not know: only wrong auto-applies count
ABSENT = frozenset({"absent"})

_WORDS = (  # noqa: SIM905
    "amber anchor breaker cinder drift ember falter gale harrow iris juniper kestrel "
    "lumen marrow nettle oriel pallas quarry rook sable thistle umber vesper willow "
    "yarrow zephyr copper meadow north south lantern harbour glass winter"
).split()


# --- the catalogue and the truth ------------------------------------------------------


@dataclass
class Plan:
    """One local album: its damage kind, its true release (a dict as generated)."""

    index: int
    kind: str
    truth: dict[str, Any]
    extra: list[dict[str, Any]] = field(default_factory=list)  # traps added to the catalogue
    served: bool = True  # whether the catalogue holds the true release


def _artist_name(release: dict[str, Any]) -> str:
    return str(release["artist_credit"][0]["name"])


def _words(rng: random.Random, low: int = 1, high: int = 3) -> str:
    return " ".join(rng.choice(_WORDS).title() for _ in range(rng.randint(low, high)))


def _two_discs(release: dict[str, Any]) -> dict[str, Any]:
    """The same release with its tracks split over two media (renumbered per disc)."""
    tracks = [t for m in release["media"] for t in m["tracks"]]
    if len(tracks) < 4:
        return release
    half = (len(tracks) + 1) // 2
    media = []
    for position, part in enumerate((tracks[:half], tracks[half:]), 1):
        media.append(
            {
                "position": position,
                "format": release["media"][0]["format"],
                "tracks": [{**t, "position": n, "number": str(n)} for n, t in enumerate(part, 1)],
            }
        )
    return {**release, "media": media}


def _decoy(
    release: dict[str, Any], seed: int, rng: random.Random, *, cover: bool = False
) -> dict[str, Any]:
    """The same title and track count by another artist, other tracks, another group;
    a ``cover`` album keeps the track titles (only the artist and lengths differ)."""
    rid = fake_mbid("bench-cover" if cover else "bench-decoy", seed, release["id"])
    name = _words(rng, 2, 3)
    artist = {"id": fake_mbid("bench-decoy-artist", seed, rid), "name": name, "sort_name": name}
    media = [
        {
            "position": m["position"],
            "format": m["format"],
            "tracks": [
                {
                    "id": fake_mbid("bench-decoy-track", rid, m["position"], n),
                    "position": n,
                    "number": str(n),
                    "title": t["title"] if cover else _words(rng, 1, 3),
                    "length": rng.randint(60_000, 420_000),
                    "recording": {"id": fake_mbid("bench-decoy-rec", rid, m["position"], n)},
                }
                for n, t in enumerate(m["tracks"], 1)
            ],
        }
        for m in release["media"]
    ]
    return {
        **release,
        "id": rid,
        "artist_credit": [artist],
        "barcode": "",
        "release_group": {"id": fake_mbid("bench-decoy-rg", rid), "primary_type": "Album"},
        "label_info": [],
        "media": media,
    }


def _deluxe(release: dict[str, Any], seed: int, rng: random.Random) -> dict[str, Any]:
    """A deluxe edition in the same release group: the same recordings plus two bonus
    tracks on the last medium, released later."""
    rid = fake_mbid("bench-deluxe", seed, release["id"])
    media = []
    for m in release["media"]:
        tracks = [
            {**t, "id": fake_mbid("bench-deluxe-track", rid, m["position"], t["position"])}
            for t in m["tracks"]
        ]
        media.append({**m, "tracks": tracks})
    last = media[-1]
    for extra in (1, 2):
        n = len(last["tracks"]) + 1
        last["tracks"].append(
            {
                "id": fake_mbid("bench-deluxe-track", rid, last["position"], n),
                "position": n,
                "number": str(n),
                "title": f"{_words(rng, 1, 2)} (Demo {extra})",
                "length": rng.randint(60_000, 420_000),
                "recording": {"id": fake_mbid("bench-deluxe-rec", rid, extra)},
            }
        )
    year = int(release["date"][:4])
    return {
        **release,
        "id": rid,
        "title": f"{release['title']} (Deluxe Edition)",
        "date": f"{min(year + 10, 2025)}-01-01",
        "barcode": "",
        "label_info": [],
        "release_group": {
            **release["release_group"],
            "first_release_date": release["date"],
        },
        "media": media,
    }


def _reissue(release: dict[str, Any], seed: int, rng: random.Random) -> dict[str, Any]:
    """The same tracks (same recordings) in the same release group, years later elsewhere."""
    rid = fake_mbid("bench-reissue", seed, release["id"])
    media = [
        {
            **m,
            "format": "Digital Media",
            "tracks": [
                {**t, "id": fake_mbid("bench-reissue-track", rid, m["position"], t["position"])}
                for t in m["tracks"]
            ],
        }
        for m in release["media"]
    ]
    year = int(release["date"][:4])
    return {
        **release,
        "id": rid,
        "date": f"{min(year + rng.randint(12, 30), 2025)}-06-01",
        "country": "XW" if release["country"] != "XW" else "US",
        "barcode": "",
        "label_info": [],
        "release_group": {**release["release_group"], "first_release_date": release["date"]},
        "media": media,
    }


def plan(albums: int, seed: int, noise: int) -> tuple[Catalogue, list[Plan]]:
    """The catalogue the server holds, and one plan per local album."""
    rng = random.Random(f"bench-{seed}")
    generated = generate_releases(albums + noise, seed=seed)
    plans: list[Plan] = []
    catalogue_dicts: list[dict[str, Any]] = []
    for index, release in enumerate(generated[:albums]):
        kind = KINDS[index % len(KINDS)]
        if kind == "two_disc":
            release = _two_discs({**release, "media": release["media"][:1]})
        p = Plan(index, kind, release)
        if kind in ("decoy", "combined", "absent"):
            p.extra.append(_decoy(release, seed, rng))
        if kind in ("cover_decoy", "absent"):
            p.extra.append(_decoy(release, seed, rng, cover=True))
        if kind == "reissue":
            p.extra.append(_reissue(release, seed, rng))
        p.served = kind not in ABSENT
        if kind in ("deluxe", "deluxe_local"):
            deluxe = _deluxe(release, seed, rng)
            p.extra.append(deluxe)
            if kind == "deluxe_local":
                p.truth, p.extra = deluxe, [release]
        plans.append(p)
        if p.served:
            catalogue_dicts.append(p.truth)
        catalogue_dicts.extend(p.extra)
    catalogue_dicts.extend(generated[albums:])
    return Catalogue.default().extend(catalogue_dicts), plans


# --- the damaged library --------------------------------------------------------------


def typo(text: str, rng: random.Random) -> str:
    """One keyboard slip in one word of four letters or more: swap, drop, double or
    replace a letter."""
    words = text.split(" ")
    long = [i for i, w in enumerate(words) if len(w) >= 4] or [max(range(len(words)), key=len)]
    i = rng.choice(long)
    w = words[i]
    if len(w) < 2:
        words[i] = w + w
        return " ".join(words)
    p = rng.randrange(1, len(w) - 1) if len(w) > 2 else 1
    how = rng.choice(("swap", "drop", "double", "replace"))
    if how == "swap":
        w = w[: p - 1] + w[p] + w[p - 1] + w[p + 1 :]
    elif how == "drop":
        w = w[:p] + w[p + 1 :]
    elif how == "double":
        w = w[:p] + w[p] + w[p:]
    else:
        w = w[:p] + rng.choice("aeiourstln") + w[p + 1 :]
    words[i] = w
    return " ".join(words)


@dataclass
class LocalFile:
    disc: int
    position: int
    title: str
    length_s: float
    folder: str = ""  # a disc subfolder
    name: str = ""  # the file name (without extension)


def _files(release: dict[str, Any], rng: random.Random) -> list[LocalFile]:
    out = []
    for m in release["media"]:
        for t in m["tracks"]:
            length = t["length"] / 1000 + rng.uniform(-0.4, 0.4)  # rips differ a little
            out.append(LocalFile(m["position"], t["position"], t["title"], round(length, 3)))
    return out


def rows_for(p: Plan, rng: random.Random, folders: set[str] | None = None) -> list[dict[str, Any]]:
    """The album's track rows (canonical raw values, as ``tests.factories.add_tracks``
    takes them), damaged as ``p.kind`` says. ``folders`` holds the album folders taken
    so far (two generated albums may share artist, title and year)."""
    rel, kind = p.truth, p.kind
    folder_artist = _artist_name(rel)
    artist, album, year = _artist_name(rel), rel["title"], rel["date"][:4]
    per_disc = {m["position"]: len(m["tracks"]) for m in rel["media"]}
    discs = len(per_disc)
    files = _files(rel, rng)
    for f in files:
        number = f"{f.disc}-{f.position:02d}" if discs > 1 else f"{f.position:02d}"
        f.name = f"{number} {f.title}"
    numbers = kind not in ("no_track_numbers", "shuffled_names", "combined")
    disc_tags = discs > 1 and kind != "two_disc"
    album_tag, artist_tag, albumartist_tag = album, artist, artist

    if kind == "typo_titles":
        for f in rng.sample(files, min(len(files), rng.randint(1, 3))):
            f.title = typo(f.title, rng)
    elif kind == "typo_album":
        album_tag = typo(album, rng)
    elif kind == "typo_artist":
        artist_tag = albumartist_tag = typo(artist, rng)
    elif kind == "no_track_numbers":
        for f in files:
            f.name = f.title
    elif kind == "no_albumartist":
        albumartist_tag = ""
    elif kind in ("shuffled_names", "combined"):
        names = [f.name for f in files]
        rng.shuffle(names)
        for f, name in zip(files, names, strict=True):
            f.name = name
    elif kind == "lengths_off":
        for f in files:
            f.length_s = round(f.length_s + rng.choice((-1, 1)) * rng.uniform(1.0, 2.0), 3)
    elif kind == "missing_track":
        files.pop(rng.randrange(len(files)))
    elif kind == "bonus_track":
        last = files[-1]
        title = f"{_words(rng, 1, 2)} (Bonus Track)"
        files.append(LocalFile(last.disc, last.position + 1, title, rng.uniform(60, 420), "", ""))
        files[-1].name = f"{last.position + 1:02d} {title}"
    elif kind == "two_disc":
        for f in files:
            f.folder = f"Disc {f.disc}"
            f.name = f"{f.position:02d} {f.title}"
    elif kind == "cover_decoy":
        artist_tag = albumartist_tag = ""
        folder_artist = "Unsorted"
    if kind == "combined":
        album_tag = typo(album, rng)
        albumartist_tag = ""
        victim = rng.choice(files)
        victim.title = typo(victim.title, rng)
        for f in files:
            f.length_s = round(f.length_s + rng.choice((-1, 1)) * rng.uniform(1.0, 2.0), 3)

    folder = base = f"/music/{folder_artist}/{album} ({year})"
    while folders is not None and folder in folders:
        folder = f"{base} [{len(folders)}]"
    if folders is not None:
        folders.add(folder)
    rows = []
    used: set[str] = set()
    for f in files:
        path = stem = "/".join(x for x in (folder, f.folder, f.name) if x)
        while path in used:  # two tracks may share a title
            path = f"{stem} ({len(used)})"
        used.add(path)
        path += ".flac"
        row: dict[str, Any] = {"path": path.encode(), "length": f.length_s}
        if kind != "untagged":
            row.update(title=[f.title], album=[album_tag], date=[year])
            if artist_tag:
                row["artist"] = [artist_tag]
            if albumartist_tag:
                row["albumartist"] = [albumartist_tag]
            if numbers:
                row["track"] = [str(f.position)]
                row["tracktotal"] = [str(per_disc.get(f.disc, f.position))]
            if disc_tags:
                row["disc"] = [str(f.disc)]
                row["disctotal"] = [str(discs)]
            if kind == "tagged_mbid":
                row["mb_albumid"] = [rel["id"]]
        rows.append(row)
    return rows


def build_library(service: Service, plans: Sequence[Plan], seed: int) -> dict[int, int]:
    """Insert every album's rows, group albums as a scan does; track id -> album index."""
    rng = random.Random(f"library-{seed}")
    owner: dict[int, int] = {}
    folders: set[str] = set()
    for p in plans:
        for tid in add_tracks(service.library, *rows_for(p, rng, folders)):
            owner[tid] = p.index
    with service.library.session() as session:
        rebuild_albums(session)
        session.commit()
    return owner


# --- running and judging --------------------------------------------------------------


@dataclass
class Outcome:
    index: int
    kind: str
    served: bool  # the true release is in the catalogue (else "right" means nothing)
    right: bool
    auto_applied: bool
    wrong_auto_apply: bool
    requests: int
    groups: int  # how many proposals the album's files ended up in (1 when grouped right)
    best: str = ""  # "title - artist" of the best candidate, for the diagnosis
    truth: str = ""
    score: float | None = None


@dataclass
class Row:
    kind: str
    albums: int = 0
    judged: int = 0  # albums whose release the catalogue holds
    right: int = 0
    auto_applied: int = 0
    wrong_auto_applies: int = 0
    requests: int = 0

    @property
    def right_share(self) -> float:
        return self.right / self.judged if self.judged else 0.0

    @property
    def auto_share(self) -> float:
        return self.auto_applied / self.albums if self.albums else 0.0

    @property
    def requests_per_album(self) -> float:
        return self.requests / self.albums if self.albums else 0.0

    def add(self, o: Outcome) -> None:
        self.albums += 1
        self.judged += o.served
        self.right += o.right
        self.auto_applied += o.auto_applied
        self.wrong_auto_applies += o.wrong_auto_apply
        self.requests += o.requests

    def as_dict(self) -> dict[str, Any]:
        return {
            **asdict(self),
            "right_share": round(self.right_share, 4),
            "auto_share": round(self.auto_share, 4),
            "requests_per_album": round(self.requests_per_album, 3),
        }


@dataclass
class Report:
    albums: int
    seed: int
    catalogue_releases: int
    seconds: float
    outcomes: list[Outcome]
    by_kind: list[Row]
    damaged: Row
    overall: Row

    @property
    def targets(self) -> dict[str, bool]:
        d = self.damaged
        return {
            "right_share": d.right_share >= TARGET_RIGHT,
            "requests_per_album": d.requests_per_album <= TARGET_REQUESTS,
            "wrong_auto_applies": self.overall.wrong_auto_applies == 0,
        }

    @property
    def ok(self) -> bool:
        return all(self.targets.values())

    def as_dict(self) -> dict[str, Any]:
        return {
            "albums": self.albums,
            "seed": self.seed,
            "catalogue_releases": self.catalogue_releases,
            "seconds": round(self.seconds, 2),
            "targets": self.targets,
            "damaged": self.damaged.as_dict(),
            "overall": self.overall.as_dict(),
            "by_kind": [r.as_dict() for r in self.by_kind],
            "misses": [
                asdict(o) for o in self.outcomes if (o.served and not o.right) or o.wrong_auto_apply
            ],
        }


@contextmanager
def _service(folder: Path, host: str) -> Iterator[tuple[Service, Any]]:
    settings = load_settings(database=str(folder / "library.db"), env={})
    settings.mb_rate_limit = 0
    service = Service(settings)
    try:
        client = make_client(service, host=host, https=False)
        client.timeout = 10.0
        yield service, client
    finally:
        service.close()


def judge(
    proposals: Sequence[Proposal],
    owner: dict[int, int],
    plans: Sequence[Plan],
    requests_of: dict[int, int],
) -> list[Outcome]:
    """One outcome per local album, from the proposals its tracks ended up in. An album is
    right when its files are one proposal whose best candidate is the true release; an
    auto-apply is wrong unless it is exactly that (for an album MusicBrainz does not
    have, every auto-apply is wrong)."""
    by_album: dict[int, list[Proposal]] = {}
    for p in proposals:
        for index in {owner[t] for t in p.track_ids if t in owner}:
            by_album.setdefault(index, []).append(p)
    out = []
    for pl in plans:
        mine = by_album.get(pl.index, [])
        asked = sum(requests_of.get(p.id, 0) for p in mine)
        truth = f"{pl.truth['title']} - {_artist_name(pl.truth)}"
        if not pl.served:
            truth += " (not in the catalogue)"
        main = max(mine, key=lambda p: len(p.track_ids)) if mine else None
        cands = main.candidates if main is not None and main.candidates else []
        best = cands[0] if cands else None

        def is_truth(p: Proposal, pl: Plan = pl, alone: bool = len(mine) == 1) -> bool:
            top = p.candidates[0] if p.candidates else None
            return (
                pl.served and alone and top is not None
                and top.get("kind") == "release" and top["id"] == pl.truth["id"]
            )  # fmt: skip

        applied = [
            p
            for p in mine
            if p.candidates
            and props.should_auto_apply(p.candidates, Recommendation[p.recommendation], MIN_SCORE)
        ]
        out.append(
            Outcome(
                index=pl.index,
                kind=pl.kind,
                served=pl.served,
                right=main is not None and is_truth(main),
                auto_applied=bool(applied),
                wrong_auto_apply=any(not is_truth(p) for p in applied),
                requests=asked,
                groups=len(mine),
                best=f"{best['title']} - {best['artist']}" if best else "",
                truth=truth,
                score=best["score"] if best else None,
            )
        )
    return out


def run(albums: int = 200, seed: int = 1, noise: int | None = None) -> Report:
    """Build, serve, enrich and judge; ``noise`` extra generated releases compete in the
    catalogue (default: as many as there are albums)."""
    noise = albums if noise is None else noise
    catalogue, plans = plan(albums, seed, noise)
    start = time.perf_counter()
    with (
        tempfile.TemporaryDirectory(prefix="mb-accuracy-") as tmp,
        MBServer(catalogue, rate_limit=None) as server,
        _service(Path(tmp), server.host) as (service, client),
    ):
        owner = build_library(service, plans, seed)
        requests_of: dict[int, int] = {}
        seen = [0]

        def events(event: Event) -> None:
            if isinstance(event, Matched):
                count = len(server.requests) - seen[0]
                seen[0] = len(server.requests)
                if event.detail is not None:
                    requests_of[event.detail.row.id] = count

        server.requests.clear()
        result = enrich(service, (), EnrichOptions(), client=client, events=events)
        if result.stopped or result.failed:
            raise RuntimeError(f"enrichment did not finish: {result}")
        with service.library.session() as session:
            proposals = list(session.scalars(select(Proposal)))
            outcomes = judge(proposals, owner, plans, requests_of)
            # requests that no stored proposal accounts for (none expected) still count
            unaccounted = len(server.requests) - sum(requests_of.values())
    if unaccounted and outcomes:
        outcomes[0].requests += unaccounted
    rows = {k: Row(k) for k in KINDS}
    damaged, overall = Row("damaged set"), Row("all albums")
    for o in outcomes:
        rows[o.kind].add(o)
        overall.add(o)
        if o.kind not in CONTROLS:
            damaged.add(o)
    return Report(
        albums=albums,
        seed=seed,
        catalogue_releases=len(catalogue.releases),
        seconds=time.perf_counter() - start,
        outcomes=outcomes,
        by_kind=[r for r in rows.values() if r.albums],
        damaged=damaged,
        overall=overall,
    )


# --- output ---------------------------------------------------------------------------


def table(report: Report) -> str:
    lines = [
        f"{report.albums} albums, seed {report.seed}, {report.catalogue_releases} releases "
        f"in the catalogue, {report.seconds:.1f} s",
        "",
        "| kind | albums | right | auto-applied | wrong auto-applies | requests/album |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for r in [*report.by_kind, report.damaged, report.overall]:
        name = f"**{r.kind}**" if r in (report.damaged, report.overall) else r.kind
        right = f"{100 * r.right_share:.1f} %" if r.judged else "n/a"
        lines.append(
            f"| {name} | {r.albums} | {right} | "
            f"{100 * r.auto_share:.1f} % | {r.wrong_auto_applies} | "
            f"{r.requests_per_album:.2f} |"
        )
    lines.append("")
    t = report.targets
    d = report.damaged
    lines.append(
        f"targets: right {100 * d.right_share:.1f} % >= {100 * TARGET_RIGHT:.0f} %: "
        f"{'pass' if t['right_share'] else 'FAIL'}; requests/album "
        f"{d.requests_per_album:.2f} <= {TARGET_REQUESTS:.0f}: "
        f"{'pass' if t['requests_per_album'] else 'FAIL'}; wrong auto-applies "
        f"{report.overall.wrong_auto_applies} == 0: "
        f"{'pass' if t['wrong_auto_applies'] else 'FAIL'}"
    )
    misses = [o for o in report.outcomes if (o.served and not o.right) or o.wrong_auto_apply]
    if misses:
        lines.append("")
        lines.append("misses:")
        for o in misses:
            lines.append(
                f"  #{o.index} {o.kind}: truth {o.truth!r}, best {o.best!r} ({o.score}), "
                f"{o.groups} group(s), {o.requests} requests"
                + (", WRONG AUTO-APPLY" if o.wrong_auto_apply else "")
            )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--albums", type=int, default=200, help="local albums (default 200)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--noise", type=int, default=None, help="extra releases in the catalogue (default: N)"
    )
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args(argv)
    if args.albums < 1:
        parser.error("--albums must be at least 1")
    report = run(args.albums, args.seed, args.noise)
    print(json.dumps(report.as_dict(), indent=2) if args.json else table(report))
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
