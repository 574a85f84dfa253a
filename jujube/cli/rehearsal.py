"""`jujube rehearsal ...`: rehearse discovery in the terminal and review trainees' progress."""
from __future__ import annotations

import argparse
import getpass
import json
import logging
import sys
from pathlib import Path

from jujube import JujubeError

logger = logging.getLogger(__name__)

DIM_CODES = {"functional": "Fn", "formal": "Fo", "emotional": "Em", "price": "Pr"}
HELP = "Commands: /stop (scorecard), /rehearse [customer], /personas, /quit"


def register(sub: argparse._SubParsersAction) -> None:
    """Add the `rehearsal` command group."""
    parser = sub.add_parser("rehearsal", help="rehearse discovery conversations; trainees' progress")
    cmds = parser.add_subparsers(dest="rehearsal_command", metavar="ACTION")
    cmds.required = True

    play = cmds.add_parser("play", help="rehearse with a customer in the terminal")
    play.add_argument("--persona", default=None, help="customer key (default: one you practised least)")
    play.add_argument("--trainee", default=None, help="trainee id (default: term:<login name>)")
    play.set_defaults(handler=_play)

    rep = cmds.add_parser("report", help="trainees' progress over time")
    rep.add_argument("--trainee", default=None, help="only this trainee id (e.g. tg:12345); lists each rehearsal")
    rep.add_argument("--format", choices=["text", "json"], default="text")
    rep.set_defaults(handler=_report)

    show = cmds.add_parser("show", help="one rehearsal's transcript and scorecard")
    show.add_argument("session_id", type=int)
    show.set_defaults(handler=_show)

    pers = cmds.add_parser("personas", help="list the rehearsal customers")
    pers.set_defaults(handler=_personas)

    ev = cmds.add_parser("evaluate", help="accuracy of the question classifier on a held-out set")
    ev.add_argument("--heldout", default="tests/rehearsal/heldout_questions.yml",
                    help="labelled questions ({classes: ...}) or messages labelled by parts ({messages: ...})")
    ev.set_defaults(handler=_evaluate)


def _service():  # type: ignore[no-untyped-def]
    from jujube.rehearsal.service import RehearsalService

    return RehearsalService()


def _play(args: argparse.Namespace) -> int:
    from jujube.db.migrate import upgrade

    upgrade()
    service = _service()
    trainee = args.trainee or f"term:{getpass.getuser()}"
    print("Preparing the coach (the first run trains the question classifier)...", flush=True)
    service.warm_up()
    _say(service.start(trainee, args.persona, channel="terminal"))
    print(HELP)
    while True:
        try:
            text = input("you> ")
        except (EOFError, KeyboardInterrupt):
            print()
            if service.active(trainee):
                _say(service.stop(trainee))
            return 0
        cmd, _, rest = text.strip().partition(" ")
        if cmd in ("/quit", "/exit"):
            if service.active(trainee):
                _say(service.stop(trainee))
            return 0
        if cmd == "/stop":
            _say(service.stop(trainee))
        elif cmd == "/rehearse":
            _say(service.start(trainee, rest.strip() or None, channel="terminal"))
        elif cmd == "/personas":
            for key, title in service.personas():
                print(f"  {key:<22} {title}")
        elif cmd == "/help":
            print(HELP)
        else:
            replies = service.handle(trainee, text)
            if replies is None:
                print("No rehearsal is running. /rehearse [customer] starts one, /quit leaves.")
                continue
            _say(replies)
            if not service.active(trainee):
                print("Send /rehearse for another customer, or /quit.")


def _say(lines: list[str]) -> None:
    for line in lines:
        print(line)
        print()


def _report(args: argparse.Namespace) -> int:
    from jujube.db.session import get_sessionmaker
    from jujube.rehearsal.report import history, progress

    factory = get_sessionmaker()
    summary = progress(factory, args.trainee)
    rows = history(factory, args.trainee) if args.trainee else []
    if args.format == "json":
        json.dump({"trainees": summary, "rehearsals": rows}, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    if not summary:
        print("No scored rehearsals yet" + (f" for {args.trainee}." if args.trainee else "."))
        return 0
    print(f"{'trainee':<24} {'n':>3} {'avg%':>6} {'first':>6} {'last':>6} {'best':>6} {'trend':>6}  most missed")
    for s in summary:
        print(f"{s['trainee_id']:<24} {s['rehearsals']:>3} {s['average']:>6g} {s['first']:>6g} {s['last']:>6g} "
              f"{s['best']:>6g} {s['trend']:>+6g}  {', '.join(s['most_missed']) or '-'}")
    for s in summary:
        print()
        print(progress_text(s))
    if rows:
        print()
        print(f"{'#':>4} {'date':<20} {'customer':<22} {'score%':>6}  {'dimensions':<11}  q  pitch  "
              f"{'fit':<10}  ended")
        for r in rows:
            dims = " ".join(code if r["dimensions"].get(d) else ".." for d, code in DIM_CODES.items())
            print(f"{r['session_id']:>4} {r['started_at']:<20} {r['persona']:<22} {r['percent']:>6g}  {dims}  "
                  f"{r['questions']:>2} {r['premature_pitches']:>5}  {r['fit']:<10}  {r['ended'] or ''}")
        print("\ndimensions uncovered: Fn functional, Fo formal, Em emotional, Pr price. "
              "`jujube rehearsal show N` prints a transcript.")
    return 0


SPARK = "▁▂▃▄▅▆▇█"


def spark(values: list[float]) -> str:
    """Scores of 0-100 as a row of bar characters, oldest first."""
    return "".join(SPARK[min(len(SPARK) - 1, int(v / 100.0 * len(SPARK)))] for v in values)


def progress_text(s: dict) -> str:  # type: ignore[type-arg]
    """One trainee's progress by rubric line: each line's scores over time, earlier and recent averages."""
    labels = {ln["key"]: ln["label"] for ln in s["lines"]}
    out = [f"{s['trainee_id']}: {s['rehearsals']} rehearsal(s), {spark([r['percent'] for r in s['series']])} "
           f"earlier {s['earlier']:g}% -> recent {s['recent']:g}% ({s['change']:+g})"]
    out.append(f"  {'rubric line':<58} {'over time':<12} {'earlier':>7} {'recent':>7} {'change':>7}")
    for ln in s["lines"]:
        out.append(f"  {ln['label'][:58]:<58} {spark(ln['scores'])[-12:]:<12} {ln['earlier']:>7g} {ln['recent']:>7g} "
                   f"{ln['change']:>+7g}")
    name = lambda keys: ", ".join(labels.get(k, k) for k in keys) or "-"  # noqa: E731
    out.append(f"  improving on: {name(s['improving'])}")
    if s["slipping"]:
        out.append(f"  slipping on:  {name(s['slipping'])}")
    out.append(f"  weakest now:  {name(s['weakest'])}")
    return "\n".join(out)


def _show(args: argparse.Namespace) -> int:
    from jujube.db.session import get_sessionmaker
    from jujube.rehearsal.report import transcript

    detail = transcript(get_sessionmaker(), args.session_id)
    if detail is None:
        raise JujubeError(f"no rehearsal with id {args.session_id}")
    print(f"Rehearsal {detail['session_id']}: {detail['trainee_id']} with {detail['persona']} "
          f"({detail['started_at']}, {detail['status']})\n")
    for t in detail["turns"]:
        who = "trainee " if t["role"] == "trainee" else "customer"
        tag = f"  [{t['label']}]" if t["label"] else ""
        print(f"{who}> {t['text']}{tag}")
    if detail["scorecard"]:
        print("\n" + detail["scorecard"])
    return 0


def _personas(args: argparse.Namespace) -> int:
    from jujube.rehearsal.personas import load_library

    for p in load_library().personas.values():
        print(f"{p.key:<22} {p.title}")
    return 0


def _evaluate(args: argparse.Namespace) -> int:
    import yaml

    from jujube.rehearsal.classifier import get_classifier, labelled_examples, multilabel_f1
    from jujube.rehearsal.personas import load_library

    path = Path(args.heldout)
    if not path.is_file():
        raise JujubeError(f"held-out file not found: {path}")
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    classifier = get_classifier(normalizer=load_library().index.mask)
    if "messages" in raw:  # messages labelled with the kinds of all their parts
        print(multilabel_f1(classifier, list(raw["messages"])).text())
        return 0
    print(classifier.evaluate(labelled_examples(raw)).text())
    return 0
