"""`make bench` (mail): the outbox sender against plain aiosmtplib, on one sink server.

2,000 outbox rows (about 2 KB of text and 4 KB of HTML, one in five with an iTIP invitation)
in a fresh SQLite database go to a local aiosmtpd sink running in a separate process. Ours is
`send_due` with the SMTP transport: claim, build the MIME message, send, record. The floor
sends the same messages, built beforehand with `build_message`, with plain aiosmtplib over the
same connection strategy (one connection per batch of the same size, messages in sequence).
Within each of a few rounds the two sides alternate batch by batch (ours sends batch k by
running `send_due` at the moment batch k falls due); the last line is `bench mail: ratio=X`
(ours/floor in messages per second, medians over the rounds; target at least 0.7).
`--profile` adds a cProfile of one run of ours.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import multiprocessing
import pstats
import shutil
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from multiprocessing.sharedctypes import Synchronized
from multiprocessing.synchronize import Event
from pathlib import Path
from typing import Any

import aiosmtplib
from sqlalchemy import select, update

from notifications.kinds import MailKind
from notifications.mime import build_message
from notifications.outbox import OUTBOX, CalendarPart, OutgoingMail, Recipient, queue
from notifications.render import RenderedMail
from notifications.sender import send_due
from notifications.settings import MailSettings, SmtpSettings
from notifications.transports import Envelope
from workflow.app import App, bootstrap
from workflow.logging import configure_logging
from workflow.settings import Settings
from workflow.testing import FrozenClock

START = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)
SENDER = "hotspotmonitor@overijssel.example"
TARGET = 0.7
HOST = "127.0.0.1"


def say(line: str) -> None:
    print(line, flush=True)


# ---------------------------------------------------------------- the sink, in its own process


def sink_main(port: int, ready: Event, stop: Event, received: Synchronized[int]) -> None:
    """Accept every message and count it; nothing else, so the sink costs both sides alike."""
    from aiosmtpd.controller import Controller

    class Sink:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            with received.get_lock():
                received.value += 1
            return "250 OK"

    controller = Controller(Sink(), hostname=HOST, port=port)
    controller.start()
    ready.set()
    stop.wait()
    controller.stop()


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


# ---------------------------------------------------------------- realistic mails

PARAGRAPHS = (
    "Hierbij nodigen wij u uit voor de expertbijeenkomst van de hotspotmonitor {period} van "
    "de {org}. In deze bijeenkomst bespreken wij welke gebeurtenissen uit de afgelopen "
    "periode zo veel maatschappelijke onrust, media-aandacht of politieke spanning opleverden "
    "dat de archiefstukken erover blijvend bewaard moeten worden.",
    "U bent gevraagd vanuit uw deskundigheid als {profile}. Wij stellen het zeer op prijs als "
    "u vooraf nadenkt over twee of drie onderwerpen die volgens u een hotspot zijn geweest, "
    "met een korte motivering aan de hand van de vier criteria van de handreiking.",
    "De bijeenkomst duurt ongeveer twee uur. Koffie en thee staan klaar vanaf een kwartier "
    "voor aanvang. Wilt u uiterlijk een week van tevoren laten weten of u aanwezig bent? Dat "
    "kan met de persoonlijke link onderaan deze e-mail.",
    "Na afloop ontvangt u een verslag met de voorlopige lijst. U kunt daarop nog reageren "
    "voordat de lijst ter advisering naar de archivaris gaat en daarna door het bestuur "
    "wordt vastgesteld en gepubliceerd.",
)


def make_mail(i: int) -> OutgoingMail:
    name = f"Expert {i:04d} van Dijk"
    fields = {"period": "2017-2023", "org": "Provincie Overijssel", "profile": "historicus"}
    paragraphs = [p.format(**fields) for p in PARAGRAPHS]
    text = "\n\n".join([f"Beste {name},", *paragraphs, *paragraphs[:2]])
    text += "\n\nMet vriendelijke groet,\nSanne de Vries\nProcesbegeleider hotspotmonitor\n"
    html_paragraphs = "".join(
        f'<p style="margin:0 0 12px 0;font-family:Arial,sans-serif;font-size:14px">{p}</p>\n'
        for p in [*paragraphs, *paragraphs, paragraphs[0]]
    )
    html = (
        '<!DOCTYPE html>\n<html lang="nl"><head><meta charset="utf-8">'
        "<title>Uitnodiging expertbijeenkomst</title></head>\n<body>\n"
        f"<p>Beste {name},</p>\n{html_paragraphs}"
        "<p>Met vriendelijke groet,<br>Sanne de Vries</p>\n</body></html>\n"
    )
    calendar = None
    if i % 5 == 0:
        calendar = CalendarPart(
            "REQUEST",
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Hotspotmonitor//NL\r\n"
            "METHOD:REQUEST\r\nBEGIN:VEVENT\r\n"
            f"UID:session-bench-{i}@hotspot-monitor\r\nSEQUENCE:0\r\n"
            "DTSTAMP:20250106T090000Z\r\nDTSTART:20250312T183000Z\r\n"
            "DTEND:20250312T203000Z\r\nSUMMARY:Expertbijeenkomst hotspotmonitor\r\n"
            "LOCATION:Provinciehuis\\, Zwolle\r\n"
            f"ORGANIZER;CN=Hotspotmonitor:mailto:{SENDER}\r\n"
            f"ATTENDEE;CN={name};RSVP=TRUE:mailto:expert{i}@example.org\r\n"
            "END:VEVENT\r\nEND:VCALENDAR\r\n",
        )
    return OutgoingMail(
        kind=MailKind.SESSION_INVITATION,
        recipient=Recipient(name, f"expert{i}@example.org"),
        rendered=RenderedMail("Uitnodiging expertbijeenkomst hotspotmonitor", text, html),
        calendar=calendar,
    )


# ---------------------------------------------------------------- the two sides


def requeue(app: App, ids: list[int], batch: int) -> None:
    """Every row pending again; batch k falls due at START + k seconds (not timed).

    Ours then sends exactly batch k when `send_due` runs with `now = START + k s`, so each of
    its batches can run right next to the floor's same batch.
    """
    with app.transaction() as connection:
        for k, first in enumerate(range(0, len(ids), batch)):
            chunk = ids[first : first + batch]
            connection.execute(
                update(OUTBOX)
                .where(OUTBOX.c.id.between(chunk[0], chunk[-1]))
                .values(
                    status="pending",
                    attempts=0,
                    next_attempt_at=due_at(k),
                    lease_until=None,
                    sent_at=None,
                    last_error=None,
                )
            )


def due_at(k: int) -> datetime:
    return START + timedelta(seconds=k)


def ours_batch(app: App, settings: MailSettings, k: int, size: int) -> float:
    started = time.perf_counter()
    report = asyncio.run(send_due(app, settings, now=due_at(k)))
    elapsed = time.perf_counter() - started
    if (report.sent, report.retried, report.failed) != (size, 0, 0):
        raise RuntimeError(f"ours: {report.sent} of {size} sent, {report.failures[:3]}")
    return elapsed


async def floor_send(envelopes: list[Envelope], port: int) -> None:
    """Plain aiosmtplib: one connection for the batch, one message after the other."""
    client = aiosmtplib.SMTP(hostname=HOST, port=port, start_tls=False, timeout=30)
    await client.connect()
    for envelope in envelopes:
        await client.send_message(
            envelope.message, sender=envelope.mail_from, recipients=[envelope.rcpt_to]
        )
    await client.quit()


def floor_batch(envelopes: list[Envelope], port: int) -> float:
    started = time.perf_counter()
    asyncio.run(floor_send(envelopes, port))
    return time.perf_counter() - started


def wait_for_sink(received: Synchronized[int], expected: int, name: str) -> None:
    """The sink got exactly the messages sent so far (it counts in its own process)."""
    deadline = time.monotonic() + 5
    while received.value < expected and time.monotonic() < deadline:
        time.sleep(0.01)
    if received.value != expected:
        raise RuntimeError(f"{name}: the sink has {received.value} messages, expected {expected}")


def measure_round(
    app: App,
    settings: MailSettings,
    envelopes: list[Envelope],
    ids: list[int],
    port: int,
    received: Synchronized[int],
    ours_first: bool,
) -> tuple[float, float]:
    """Seconds for all batches of ours and of the floor, each batch pair back to back.

    Pairing batch by batch (who goes first alternates) puts both sides in the same moment of
    a shared, noisy machine; a round of each side in one block did not.
    """
    batch = settings.batch_size
    requeue(app, ids, batch)
    gc.collect()
    totals = [0.0, 0.0]
    for k, first in enumerate(range(0, len(envelopes), batch)):
        chunk = envelopes[first : first + batch]
        expected = received.value + len(chunk)
        if (k % 2 == 0) == ours_first:
            totals[0] += ours_batch(app, settings, k, len(chunk))
            wait_for_sink(received, expected, "ours")
            totals[1] += floor_batch(chunk, port)
            wait_for_sink(received, expected + len(chunk), "floor")
        else:
            totals[1] += floor_batch(chunk, port)
            wait_for_sink(received, expected, "floor")
            totals[0] += ours_batch(app, settings, k, len(chunk))
            wait_for_sink(received, expected + len(chunk), "ours")
    return totals[0], totals[1]


def profile_ours(app: App, settings: MailSettings, ids: list[int]) -> None:
    requeue(app, ids, len(ids))
    profiler = cProfile.Profile()
    profiler.enable()
    asyncio.run(send_due(app, settings, now=START))
    profiler.disable()
    say("profile of one round of ours (cumulative, top 30):")
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--n", type=int, default=2000, help="messages per round (2,000)")
    parser.add_argument("--rounds", type=int, default=3, help="measured rounds (3)")
    parser.add_argument("--batch", type=int, default=200, help="messages per batch (200)")
    parser.add_argument("--profile", action="store_true", help="cProfile one round of ours")
    args = parser.parse_args(argv)
    configure_logging("WARNING")
    context = multiprocessing.get_context("spawn")
    port = free_port()
    ready, stop = context.Event(), context.Event()
    received: Synchronized[int] = context.Value("q", 0)  # type: ignore[assignment]
    sink = context.Process(target=sink_main, args=(port, ready, stop, received), daemon=True)
    sink.start()
    workdir = Path(tempfile.mkdtemp(prefix="hotspot-bench-mail-"))
    app: App | None = None
    try:
        if not ready.wait(30):
            raise RuntimeError("the sink server did not start")
        app = bootstrap(
            Settings(f"sqlite:///{workdir / 'mail.db'}", "nl", None), clock=FrozenClock(START)
        )
        configure_logging("WARNING")
        mails = [make_mail(i) for i in range(args.n)]
        with app.transaction() as connection:
            queue(connection, mails, procedure_id=None, sender=SENDER, now=START)
        smtp = SmtpSettings(host=HOST, port=port, tls="none", timeout_seconds=30)
        settings = MailSettings(transport="smtp", sender=SENDER, smtp=smtp, batch_size=args.batch)
        with app.transaction() as connection:
            rows = connection.execute(select(OUTBOX).order_by(OUTBOX.c.id)).all()
        envelopes = [
            Envelope(r.sender, r.recipient_email, build_message(r, settings.sender_name))
            for r in rows
        ]
        size = sum(len(e.message.as_bytes()) for e in envelopes) / len(envelopes)
        calendars = sum(1 for r in rows if r.calendar)
        say(
            f"bench mail: {args.n:,} messages (avg {size / 1024:.1f} KiB, {calendars} with an"
            f" invitation), batches of {args.batch}, sink in process {sink.pid}"
        )

        ids = [int(r.id) for r in rows]
        # A warm-up round, not counted: statement caches, imports, the sink's loop.
        measure_round(app, settings, envelopes, ids, port, received, True)
        rates: list[tuple[float, float]] = []
        say(f"  {'round':<8}{'ours msg/s':>12}{'floor msg/s':>13}{'ratio':>8}")
        for round_no in range(1, args.rounds + 1):
            ours_s, floor_s = measure_round(
                app, settings, envelopes, ids, port, received, round_no % 2 == 1
            )
            rate = (args.n / ours_s, args.n / floor_s)
            rates.append(rate)
            say(f"  {round_no:<8}{rate[0]:>12.0f}{rate[1]:>13.0f}{rate[0] / rate[1]:>8.2f}")
        ours_rate = statistics.median(r[0] for r in rates)
        floor_rate = statistics.median(r[1] for r in rates)
        ratio = ours_rate / floor_rate
        say(f"  {'median':<8}{ours_rate:>12.0f}{floor_rate:>13.0f}{ratio:>8.2f}")
        verdict = "meets" if ratio >= TARGET else "is BELOW"
        say(f"  ours/floor {ratio:.2f} {verdict} the target of {TARGET:.1f}")
        if args.profile:
            profile_ours(app, settings, ids)
    finally:
        if app is not None:
            app.dispose()
        stop.set()
        sink.join(10)
        if sink.is_alive():
            sink.terminate()
        shutil.rmtree(workdir, ignore_errors=True)
    say(f"bench mail: ratio={ratio:.2f}")


if __name__ == "__main__":
    main()
