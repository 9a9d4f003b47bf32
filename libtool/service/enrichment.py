"""MusicBrainz enrichment as a service operation: group, find, score, store, apply.

Network and database never overlap: the tracks are read in one short session, each
album's requests run with no session open (answers are cached in their own
commits), then its proposal is stored, and with ``apply`` staged, in one
transaction. So work done before a failure is kept, and the next run resumes: the
cached answers cost no requests and settled albums are not asked about again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from libtool.changes import proposals as stored
from libtool.db.mbcache import LibraryCache
from libtool.db.models import Proposal, Track
from libtool.errors import UsageError
from libtool.events import NEVER, Cancelled, CancelToken, EventSink, Matched, Progress, ignore
from libtool.musicbrainz import proposals as props
from libtool.musicbrainz.candidates import find_album, find_track
from libtool.musicbrainz.client import MusicBrainzClient, MusicBrainzError, RateLimited, Unreachable
from libtool.musicbrainz.grouping import Group, Member, folder_of, groups
from libtool.musicbrainz.match import LocalTrack, Preferences, Recommendation
from libtool.musicbrainz.mbngs import DEFAULT_CONTACT, MusicBrainzNgsClient
from libtool.pathutil import display_path
from libtool.service.results import (
    BreakdownRow,
    CandidateTrack,
    CandidateView,
    EnrichResult,
    ProposalDetail,
    ProposalRow,
)

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from libtool.service.core import Service


@dataclass(frozen=True, slots=True)
class EnrichOptions:
    dry_run: bool = False  # store nothing, stage nothing: only say what would happen
    apply: bool = False  # stage clear matches (see proposals.should_auto_apply)
    min_score: float | None = None  # None: the configured musicbrainz.min_score
    refresh: bool = False  # ask MusicBrainz again, and reconsider applied/skipped albums
    host: str | None = None  # HOST[:PORT], over the configured one
    https: bool | None = None


def make_client(
    service: Service, *, host: str | None = None, https: bool | None = None, refresh: bool = False
) -> MusicBrainzNgsClient:
    """The configured client, caching answers in the library database."""
    s = service.settings
    host = (host or s.mb_host).strip()
    use_https = s.mb_https if https is None else https
    if not host or "/" in host or any(c.isspace() for c in host):
        raise UsageError(f"not a MusicBrainz host name: {host!r} (use HOST or HOST:PORT)")
    origin = f"{'https' if use_https else 'http'}://{host}"
    cache = LibraryCache(service.library, origin, timedelta(days=s.mb_cache_days))
    return MusicBrainzNgsClient(
        host=host,
        use_https=use_https,
        contact=s.mb_contact or DEFAULT_CONTACT,
        rate_interval=s.mb_rate_limit,
        cache=cache,
        refresh=refresh,
    )


def preferences(service: Service) -> Preferences:
    s = service.settings
    return Preferences(
        countries=tuple(s.mb_preferred_countries),
        media=tuple(s.mb_preferred_media),
        types=tuple(s.mb_preferred_types),
        original_over_reissue=s.mb_prefer_original,
    )


# --- reading the library ------------------------------------------------------------------


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def local_track(track: Track) -> LocalTrack:
    return LocalTrack(
        track_id=track.id,
        title=_text(track.title),
        artist=_text(track.artist),
        album=_text(track.album),
        albumartist=_text(track.albumartist),
        track=track.track,
        tracktotal=track.tracktotal,
        disc=track.disc,
        disctotal=track.disctotal,
        length_s=track.length,
        date=_text(track.date),
        mb_recordingid=_text(track.mb_recordingid),
        mb_albumid=_text(track.mb_albumid),
        mb_releasetrackid=_text(track.mb_releasetrackid),
        isrc=_text(track.isrc),
        barcode=_text(track.barcode),
        catalognumber=_text(track.catalognumber),
        label=_text(track.label),
        path=track.path_text,
    )


def library_groups(service: Service, query: Any = (), ids: Sequence[int] = ()) -> list[Group]:
    """The album candidates and lone tracks among the present tracks matching ``query``
    (or with these ``ids``)."""
    from libtool.service.core import _where

    where = Track.id.in_(list(ids)) if ids else _where(query)
    stmt = select(Track).where(where, Track.missing.is_(False)).order_by(Track.path_text)
    members = []
    with service.library.session() as session:
        for track in session.scalars(stmt):
            members.append(Member(local_track(track), track.album_id, folder_of(track.path_text)))
    return groups(members)


# --- views --------------------------------------------------------------------------------


def _breakdown(rows: Sequence[dict[str, Any]]) -> tuple[BreakdownRow, ...]:
    return tuple(
        BreakdownRow(str(r["name"]), r["penalty"], r["weight"], r["contribution"]) for r in rows
    )


def _best_text(c: dict[str, Any]) -> str:
    facts = ", ".join(x for x in (c.get("date", ""), c.get("country", "")) if x)
    return f"{c['title']} - {c['artist']}" + (f" ({facts})" if facts else "")


def candidate_view(
    session: Session, index: int, c: dict[str, Any], paths: dict[int, str], with_diffs: bool
) -> CandidateView:
    return CandidateView(
        index=index,
        kind=c.get("kind", "release"),
        id=c["id"],
        title=c["title"],
        artist=c["artist"],
        date=c.get("date", ""),
        country=c.get("country", ""),
        formats=tuple(c.get("formats", ())),
        track_count=int(c.get("track_count") or 0),
        score=float(c["score"]),
        looked_up=bool(c.get("looked_up")),
        breakdown=_breakdown(c.get("breakdown", ())),
        tracks=tuple(
            CandidateTrack(
                track_id=t["track_id"],
                path=paths.get(t["track_id"], ""),
                disc=t["disc"],
                position=t["position"],
                title=t["title"],
                artist=t.get("artist", ""),
                length_ms=t.get("length_ms"),
                score=t.get("score"),
                breakdown=_breakdown(t.get("breakdown", ())),
            )
            for t in c.get("tracks", ())
        ),
        missing=tuple(f"{m['disc']}-{m['position']} {m['title']}" for m in c.get("missing", ())),
        unmatched=tuple(paths.get(tid, str(tid)) for tid in c.get("unmatched", ())),
        diffs=tuple(stored.candidate_diffs(session, c)) if with_diffs else (),
    )


def _row(p: Proposal) -> ProposalRow:
    best = p.candidates[p.chosen if p.chosen is not None else 0] if p.candidates else None
    return ProposalRow(
        id=p.id,
        kind=p.kind,
        label=p.label,
        status=p.status,
        recommendation=p.recommendation,
        score=p.score,
        gap=p.gap,
        track_count=len(p.track_ids),
        best=_best_text(best) if best else "",
        message=p.message or "",
        updated_at=p.updated_at,
    )


def _paths(session: Session, ids: Sequence[int]) -> dict[int, str]:
    rows = session.execute(select(Track.id, Track.path).where(Track.id.in_(list(ids))))
    return {tid: display_path(path) for tid, path in rows}


def detail(session: Session, p: Proposal) -> ProposalDetail:
    """A proposal as plain values, with current -> proposed for every looked-up candidate."""
    paths = _paths(session, p.track_ids)
    views = tuple(
        candidate_view(session, i, c, paths, bool(c.get("looked_up")))
        for i, c in enumerate(p.candidates)
    )
    return ProposalDetail(_row(p), views, p.chosen)


# --- the operation ------------------------------------------------------------------------


def _find(
    client: MusicBrainzClient, group: Group, prefs: Preferences, cancel: CancelToken
) -> tuple[list[dict[str, Any]], Recommendation, int]:
    if group.album is not None:
        found = find_album(client, group.album, prefs=prefs, cancel=cancel)
        return props.album_candidates(found), found.recommendation, found.requests
    assert group.track is not None
    found_t = find_track(client, group.track, cancel=cancel)
    return props.track_candidates(found_t), found_t.recommendation, found_t.requests


def enrich(
    service: Service,
    query: Any = (),
    options: EnrichOptions | None = None,
    *,
    client: MusicBrainzClient | None = None,
    ids: Sequence[int] = (),
    events: EventSink = ignore,
    cancel: CancelToken = NEVER,
) -> EnrichResult:
    """Match every album candidate and lone track of ``query`` against MusicBrainz. Given
    track ``ids`` (an album the user asked about), settled proposals are redone too."""
    opts = options or EnrichOptions()
    min_score = service.settings.mb_min_score if opts.min_score is None else opts.min_score
    mb = client or make_client(service, host=opts.host, https=opts.https, refresh=opts.refresh)
    prefs = preferences(service)
    todo = library_groups(service, query, ids)
    settled: set[str] = set()
    if not opts.refresh and not ids:
        with service.library.session() as session:
            settled = stored.settled_keys(session)
    skipped = sum(1 for g in todo if g.key in settled)
    todo = [g for g in todo if g.key not in settled]
    counts = {"applied": 0, "proposed": 0, "unchanged": 0, "no_match": 0, "failed": 0}
    requests = cancelled = 0
    stored_ids: list[int] = []
    stopped: str | None = None
    events(Progress("enrich", 0, len(todo)))
    for done, group in enumerate(todo, 1):
        try:
            cancel.check()
            candidates, rec, asked = _find(mb, group, prefs, cancel)
        except Cancelled:
            cancelled = 1
            break
        except (Unreachable, RateLimited) as exc:
            stopped = str(exc)
            break
        except MusicBrainzError as exc:
            counts["failed"] += 1
            events(Matched(group.label, "failed", str(exc)))
            events(Progress("enrich", done, len(todo)))
            continue
        requests += asked
        outcome, view = _record(service, group, candidates, rec, opts, min_score)
        counts[outcome] += 1
        if view.row.id:
            stored_ids.append(view.row.id)
        events(Matched(group.label, outcome, "", view))
        events(Progress("enrich", done, len(todo)))
    hits = 0
    if isinstance(mb, MusicBrainzNgsClient):  # its counts include retries and cache hits
        requests = mb.requests_made
        hits = getattr(mb.cache, "hits", 0)
    return EnrichResult(
        proposal_ids=tuple(stored_ids),
        groups=len(todo),
        skipped_settled=skipped,
        requests=requests,
        cache_hits=hits,
        cancelled=bool(cancelled),
        stopped=stopped,
        **counts,
    )


def _record(
    service: Service,
    group: Group,
    candidates: list[dict[str, Any]],
    rec: Recommendation,
    opts: EnrichOptions,
    min_score: float,
) -> tuple[str, ProposalDetail]:
    """Store (and maybe apply) one group's proposal in one transaction; its outcome, and
    the proposal as it was found (its changes against the files, before any staging)."""
    with service.library.session() as session:
        if opts.dry_run:
            row = Proposal(
                id=0,
                track_key=group.key,
                track_ids=list(group.track_ids),
                kind=group.kind,
                label=group.label,
                status=props.PENDING if candidates else props.NO_MATCH,
                recommendation=rec.name,
                score=candidates[0]["score"] if candidates else None,
                gap=props.gap_of(candidates),
                candidates=candidates,
                chosen=None,
            )
        else:
            row = stored.store(session, group, candidates, rec)
        view = detail(session, row)
        outcome = "no_match" if not candidates else "proposed"
        if candidates and props.should_auto_apply(candidates, rec, min_score):
            if not view.candidates[0].diffs:
                outcome = "unchanged"
                if not opts.dry_run:
                    stored.mark(session, [row], props.UNCHANGED)
            elif opts.apply:
                outcome = "applied"
                if not opts.dry_run:
                    stored.accept(session, row, 0)
        if not opts.dry_run:
            session.commit()
        status = {"applied": props.APPLIED, "unchanged": props.UNCHANGED}.get(outcome)
        if status is not None:
            view = replace(view, row=replace(view.row, status=status), chosen=0)
        return outcome, view


# --- review -------------------------------------------------------------------------------


def list_proposals(service: Service, statuses: Sequence[str] = ()) -> list[ProposalRow]:
    bad = [s for s in statuses if s not in props.STATUSES]
    if bad:
        raise UsageError(f"unknown status {bad[0]!r} (one of {', '.join(props.STATUSES)})")
    stmt = select(Proposal).order_by(Proposal.label, Proposal.id)
    if statuses:
        stmt = stmt.where(Proposal.status.in_(list(statuses)))
    with service.library.session() as session:
        return [_row(p) for p in session.scalars(stmt)]


def _get(session: Session, proposal_id: int) -> Proposal:
    p = session.get(Proposal, proposal_id)
    if p is None:
        raise UsageError(f"no proposal {proposal_id} (see 'mlib proposals')")
    return p


def proposal_track_ids(service: Service, proposal_id: int) -> list[int]:
    with service.library.session() as session:
        return list(_get(session, proposal_id).track_ids)


def get_proposal(service: Service, proposal_id: int) -> ProposalDetail:
    with service.library.session() as session:
        return detail(session, _get(session, proposal_id))


def accept(
    service: Service,
    proposal_id: int,
    number: int = 1,
    *,
    client: MusicBrainzClient | None = None,
    host: str | None = None,
    https: bool | None = None,
) -> tuple[int, ProposalDetail]:
    """Accept candidate ``number`` (1-based, as listed): stage its changes and mark the
    proposal applied, in one transaction. A candidate scored only from the search answer
    is looked up first (one request). Returns (changes staged, the proposal)."""
    with service.library.session() as session:
        p = _get(session, proposal_id)
        if not 1 <= number <= len(p.candidates):
            raise UsageError(
                f"proposal {proposal_id} has {len(p.candidates)} candidates; no number {number}"
            )
        candidate = p.candidates[number - 1]
        needs_lookup = not candidate.get("looked_up")
        track_ids = list(p.track_ids)
    if needs_lookup:
        candidate = _look_up(service, track_ids, candidate, client, host, https)
    with service.library.session() as session:
        p = _get(session, proposal_id)
        cands = list(p.candidates)
        cands[number - 1] = candidate
        p.candidates = cands
        count = stored.accept(session, p, number - 1)
        session.commit()
        return count, detail(session, p)


def _look_up(
    service: Service,
    track_ids: list[int],
    candidate: dict[str, Any],
    client: MusicBrainzClient | None,
    host: str | None,
    https: bool | None,
) -> dict[str, Any]:
    """Look up a candidate scored only from the search answer, and score it in full
    against the files as ``enrich`` grouped them (folder names standing in for missing
    album tags, track numbers from file names), so its score means the same."""
    from libtool.musicbrainz.grouping import track_key
    from libtool.musicbrainz.match import LocalAlbum, score_release

    found = library_groups(service, ids=track_ids)
    key = track_key(track_ids)
    album = next((g.album for g in found if g.key == key and g.album is not None), None)
    if album is None:  # the tracks regrouped since: take them as one album
        tracks = [t for g in found for t in (g.album.tracks if g.album else [g.track]) if t]
        album = LocalAlbum.from_tracks(key, tracks)
    mb = client or make_client(service, host=host, https=https)
    match = score_release(album, mb.get_release(candidate["id"]), preferences(service))
    looked_up = props.release_candidate(match)
    looked_up["search_score"] = candidate.get("search_score")
    return looked_up


def skip(service: Service, proposal_ids: Sequence[int]) -> int:
    with service.library.session() as session:
        rows = [_get(session, pid) for pid in proposal_ids]
        stored.mark(session, rows, props.SKIPPED)
        session.commit()
        return len(rows)


__all__ = ["EnrichOptions", "accept", "enrich", "get_proposal", "list_proposals", "skip"]
