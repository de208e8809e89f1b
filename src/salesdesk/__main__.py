"""The `salesdesk` command: serve, demo, check-figures, manage."""

from __future__ import annotations

import argparse
import os
import sys


def _django_setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salesdesk.settings")
    import django

    django.setup()


def cmd_serve(args: argparse.Namespace) -> int:
    """Serve with gunicorn; DEBUG stays off unless SALESDESK_DEBUG says otherwise."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salesdesk.settings")
    from gunicorn.app.wsgiapp import run

    workers = args.workers or (os.cpu_count() or 1) * 2 + 1
    sys.argv = [
        "gunicorn",
        "salesdesk.wsgi:application",
        "--bind",
        f"{args.host}:{args.port}",
        "--workers",
        str(workers),
        "--access-logfile",
        "-" if args.access_log else "/dev/null",
    ]
    run()
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    _django_setup()
    from django.core.management import CommandError, call_command

    options = {"size": args.size, "seed": args.seed}
    if args.password:
        options["password"] = args.password
    if args.if_empty:
        options["if_empty"] = True
    try:
        call_command("demo", **options)
    except CommandError as exc:
        print(f"salesdesk demo: {exc}", file=sys.stderr)
        return exc.returncode
    return 0


def cmd_check_figures(args: argparse.Namespace) -> int:
    """Prove the report figures agree (R-8.7): exit 1 and each disagreement when they do not."""
    _django_setup()
    from django.core.management import CommandError, call_command

    try:
        call_command("check_figures", month=args.month)
    except CommandError as exc:
        print(f"salesdesk check-figures: {exc}", file=sys.stderr)
        return exc.returncode
    return 0


def cmd_manage(args: argparse.Namespace) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salesdesk.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["salesdesk manage", *args.rest])
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="salesdesk", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="serve SalesDesk with gunicorn (DEBUG off)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=0, help="default: 2 x cores + 1")
    serve.add_argument("--access-log", action="store_true", help="log each request to stdout")
    serve.set_defaults(func=cmd_serve)

    demo = sub.add_parser("demo", help="fill the database with a believable carton factory")
    demo.add_argument("--size", choices=["small", "large"], default="small")
    demo.add_argument("--seed", type=int, default=2026)
    demo.add_argument("--password", default="", help="password for every demo user")
    demo.add_argument("--if-empty", action="store_true", help="do nothing when data exists")
    demo.set_defaults(func=cmd_demo)

    check = sub.add_parser(
        "check-figures", help="recompute the report totals from the raw rows and compare them"
    )
    check.add_argument("--month", default="", help="YYYY-MM (default: the current month)")
    check.set_defaults(func=cmd_check_figures)

    manage = sub.add_parser("manage", help="run a Django management command", add_help=False)
    manage.add_argument("rest", nargs=argparse.REMAINDER)
    manage.set_defaults(func=cmd_manage)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    # `manage` passes everything after it to Django untouched, including --help.
    if argv[:1] == ["manage"]:
        return cmd_manage(argparse.Namespace(rest=argv[1:]))
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
