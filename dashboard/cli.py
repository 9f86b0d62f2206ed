"""The `barometer` command: serve | table | questions | crosstab | synth | validate | export."""

from __future__ import annotations

import argparse
import difflib
import errno
import os
import sys
import time
from pathlib import Path

from .data.dimensions import BY_KEYS, DIMENSIONS
from .data.filters import FilterError, parse_filter
from .data.shipped import DEFAULT_SEED, data_path, is_shipped
from .figures.specs import BY_ID, IDS
from .i18n import DEFAULT_LANG, LANGS, t


def _fail(message: str, code: int = 2) -> int:
    print(f"barometer: {message}", file=sys.stderr)
    return code


def _figure_problem(given: str) -> str | None:
    """Return what is wrong with a figure id ('unknown figure 'Fig8'; did you mean fig8?'), or None.

    >>> _figure_problem("Fig8")
    "unknown figure 'Fig8'; did you mean fig8? (barometer table --help lists the figures)"
    """
    if given in IDS:
        return None
    close = [f for f in IDS if f.casefold() == given.casefold()] or difflib.get_close_matches(given, IDS, n=1)
    hint = f"did you mean {close[0]}?" if close else f"allowed: {', '.join(IDS)}"
    return f"unknown figure {given!r}; {hint} (barometer table --help lists the figures)"


def _round_problem(data, figures, filt) -> str | None:
    """Return why the chosen round cannot be printed for `figures` (the data hold no answers to their questions
    in it), naming the figures that have that round; None when every figure has it or no round was chosen."""
    if "round" not in filt.active():
        return None
    missing = [f for f in figures if filt.round not in data.rounds(f)]
    if not missing:
        return None
    having = data.round_figures(filt.round)
    return (f"round {filt.round}: the data hold no answers to the questions of {', '.join(missing)} in that round; "
            f"figures with round {filt.round}: {', '.join(having) or 'none'}")


def _filter_and_data(args):
    """Return (Filter, FigureData) from the filter and --data options, or (exit code, None) after a message."""
    from .data.load import DataFileError, load
    from .figures.tables import FigureData

    try:
        filt = parse_filter(**{d.key: getattr(args, d.key) for d in DIMENSIONS})
    except FilterError as exc:
        return _fail(str(exc)), None
    try:
        return filt, FigureData(load(data_path(args.data)))
    except DataFileError as exc:
        print(str(exc), file=sys.stderr)
        return 1, None


def _by_problem(by: str | None) -> str | None:
    """Return what is wrong with a --by value, or None."""
    if by is None or by in BY_KEYS:
        return None
    return f"--by: unknown dimension {by[:40]!r}; one of: {', '.join(BY_KEYS)}"


def _table(data, figure: str, filt, by: str | None, lang: str):
    """Return a figure's table, broken down by `by` where the figure can be (else whole, with a note why)."""
    from .figures.breakdown import reason_of, view_table, why_text

    spec = BY_ID[figure]
    reason = reason_of(data, spec, filt, by) if by else None
    if reason is not None:
        why = why_text(data, spec, filt, by, reason, "en")
        print(f"barometer: note: {figure} is not broken down by {by}: {why}", file=sys.stderr)
    return view_table(data, spec, filt, by, lang)


def cmd_table(args) -> int:
    problem = _figure_problem(args.figure) or _by_problem(args.by)
    if problem:
        return _fail(problem)
    filt, data = _filter_and_data(args)
    if data is None:
        return filt
    problem = _round_problem(data, [args.figure], filt)
    if problem:
        return _fail(problem)
    from .export.workbook import neutralised
    from .figures.tables import published

    table = published(_table(data, args.figure, filt, args.by, args.lang))  # one decimal, p-values as text
    ignored = [key for key in data.scope(args.figure, filt).ignored]
    if ignored:
        print(f"barometer: note: {', '.join(ignored)} not applied to {args.figure}", file=sys.stderr)
    if args.format == "json":
        sys.stdout.write(table.to_json(orient="records", force_ascii=False, indent=1) + "\n")
    else:
        sys.stdout.write(neutralised(table).to_csv(index=False, lineterminator="\n"))
    sys.stdout.flush()  # a full disk or closed pipe is reported here, not at exit
    return 0


def cmd_questions(args) -> int:
    from .data.questionnaire import QUESTIONS

    found = [q.describe(args.lang) for q in QUESTIONS]
    if args.format == "json":
        import json

        sys.stdout.write(json.dumps(found, ensure_ascii=False, indent=1) + "\n")
    else:
        for q in found:
            print(f"{q['id']}: {q['title']} ({q['theme_label']}; {q['kind'].replace('_', '/')}; {q['base']}; "
                  f"{', '.join(q['rounds'])})")
            print(f"  {q['question']}")
            print(f"  answers: {', '.join(a['code'] for a in q['answers'])}")
    sys.stdout.flush()
    return 0


def cmd_crosstab(args) -> int:
    from .figures.explore import ExploreError, crosstab, parse_by, question_of

    try:
        question, by = question_of(args.question), parse_by(args.by)
    except ExploreError as exc:
        return _fail(str(exc))
    filt, data = _filter_and_data(args)
    if data is None:
        return filt
    from .export.sheets import download_table
    from .export.workbook import neutralised
    from .figures.specs import QUESTION_SPECS

    try:
        table = crosstab(data, question, filt, by, args.lang)
    except ExploreError as exc:
        return _fail(str(exc))
    spec = QUESTION_SPECS[question.id]
    table = download_table(table, spec, data.scope(spec, filt), args.lang, is_shipped(args.data))
    if args.format == "json":
        sys.stdout.write(table.to_json(orient="records", force_ascii=False, indent=1) + "\n")
    else:
        sys.stdout.write(neutralised(table).to_csv(index=False, lineterminator="\n"))
    sys.stdout.flush()
    return 0


def cmd_synth(args) -> int:
    from .data.synth import generate, scale_up, write

    if args.scale < 1:
        return _fail("--scale must be a whole number of at least 1")
    started = time.perf_counter()
    df = scale_up(generate(args.seed), args.scale)
    write(df, Path(args.out))
    print(f"wrote {len(df):,} rows to {args.out} in {time.perf_counter() - started:.1f} s (seed {args.seed})")
    return 0


WEIGHTS_OFF = 0.005  # a stratum whose weights sum more than this far (relative) from its N_h gets a note


def _strata_report(df) -> list[str]:
    """Return the lines of `validate`'s table of rows per round and stratum (with the sum of the weights and
    N_h), a total per round, and a note on the strata whose weights do not sum to their population."""
    from .data.strata import stratum_rows

    table = stratum_rows(df)
    width = max(len("stratum"), *(len(s) for s in table["stratum"]))
    head = f"  {'round':<10} {'stratum':<{width}} {'rows':>6} {'weights':>10} {'N_h':>8}"
    lines = ["rows per round and stratum (sum of the weights; N_h, the stratum's population):", head]

    def line(round_, stratum, rows, weights, population):
        pop = "" if population != population else f"{population:,.0f}"
        return f"  {round_:<10} {stratum:<{width}} {rows:>6,} {weights:>10,.1f} {pop:>8}"

    for round_, part in table.groupby("round", sort=True):
        lines += [line(*r) for r in part.itertuples(index=False)]
        lines.append(line(round_, "(all)", int(part["rows"].sum()), part["weights"].sum(),
                          part["population"].sum(min_count=len(part))))
    off = table[(table["population"] > 0) & ((table["weights"] / table["population"] - 1).abs() > WEIGHTS_OFF)]
    if len(off):
        first = off.iloc[0]
        lines.append(f"note: in {len(off)} of {len(table)} strata the weights do not sum to N_h (e.g. {first['round']} "
                     f"{first['stratum']}: {first['weights']:,.1f} of {first['population']:,.0f}); where the weights "
                     "are N_h / n_h, rows are missing")
    return lines


def cmd_validate(args) -> int:
    from .cache import data_fingerprint
    from .data import integrity
    from .data.load import DataFileError, load

    try:
        df = load(args.path, checksum=not args.checksum)
    except DataFileError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    innovators = int(df["innovated"].fillna(False).sum())
    print(f"{args.path}: valid, {len(df):,} rows ({innovators:,} innovators) in rounds "
          f"{', '.join(sorted(df['round'].astype(str).unique()))}")
    side = integrity.sidecar(args.path)
    if args.checksum:
        try:
            before = integrity.expected(args.path, args.path)
            before = None if before in (None, df.attrs["sha256"]) else f"{before[:16]}…"
        except DataFileError:  # a checksum file holding no checksum: replaced all the same
            before = "no checksum"
        integrity.write(args.path, df.attrs["sha256"])
        checked = f"written to {side.name}" + (f" (it gave {before} before)" if before else "")
    else:
        checked = (f"matches {side.name}" if side.exists() else
                   f"no checksum file ({side.name}); write one with: barometer validate {args.path} --checksum")
    print(f"data fingerprint {data_fingerprint(df)}; SHA-256 {df.attrs['sha256']}: {checked}")
    print("\n".join(_strata_report(df)))
    from .data.strata import variance_strata

    strata = variance_strata(df)
    sizes = df.groupby([df["round"].astype(str), df["stratum"].astype(str)]).size()
    for (round_, stratum), _ in sizes[sizes == 1].items():
        merged = strata.collapsed.get(f"{round_}|{stratum}", "").split("|", 1)[-1]
        treatment = (f"its variance is estimated together with {merged.replace('+', ' + ')} (collapsed strata)"
                     if merged else "no stratum of its sector to merge it with: it adds no variance")
        print(f"note: stratum {stratum} has one respondent in {round_}; {treatment}")
    if not strata.fpc:
        print("note: no stratum_population column: intervals carry no finite population correction")
    return 0


def _out_problem(out: Path) -> str | None:
    """Return why files cannot be written into the folder `out` (created if missing), or None."""
    parent = out if out.exists() else next((p for p in out.parents if p.exists()), Path("."))
    if not parent.is_dir():
        what = "this is" if parent == out else f"{parent} is"
        return f"--out {out}: {what} a file, not a folder; give a folder to write the files into"
    if not os.access(parent, os.W_OK | os.X_OK):
        return f"--out {out}: cannot write into {parent} (permission denied); choose a folder you can write to"
    return None


def cmd_export(args) -> int:
    from .export.bundle import export_files, write_files
    from .export.images import ExportUnavailable
    from .export.presets import FORMATS

    formats = tuple(f.strip() for f in args.formats.split(",") if f.strip())
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        return _fail(f"unknown format {', '.join(unknown) or '(none)'}; allowed: {', '.join(FORMATS)}")
    if args.scale <= 0 or args.scale > 8:
        return _fail("--scale must be a number above 0 and at most 8")
    figures = tuple(f.strip() for f in (args.figures or "").split(",") if f.strip()) or IDS
    for figure in figures:
        problem = _figure_problem(figure)
        if problem:
            return _fail(problem)
    problem = _out_problem(Path(args.out))
    if problem:
        return _fail(problem)
    filt, data = _filter_and_data(args)
    if data is None:
        return filt
    problem = _round_problem(data, figures, filt)
    if problem:
        return _fail(problem + "; choose them with --figures")
    started = time.perf_counter()
    try:
        files = export_files(data, filt, lang=args.lang, formats=formats, preset=args.preset, scale=args.scale,
                             synthetic=is_shipped(args.data), figures=tuple(BY_ID[f] for f in dict.fromkeys(figures)))
    except ExportUnavailable as exc:
        return _fail(str(exc), 1)
    paths = write_files(files, Path(args.out))
    print(f"wrote {len(paths)} files to {args.out} in {time.perf_counter() - started:.1f} s")
    return 0


def _run_gunicorn(wsgi_app, overrides: dict) -> None:
    """Serve `wsgi_app` with gunicorn, the settings of dashboard.gunicorn_conf and `overrides`; return at shutdown."""
    from gunicorn.app.base import BaseApplication

    from . import gunicorn_conf

    class Application(BaseApplication):  # gunicorn's custom-application API, for an app already loaded
        def load_config(self):
            settings = {k: v for k, v in vars(gunicorn_conf).items() if k in self.cfg.settings and v is not None}
            for key, value in {**settings, **overrides}.items():
                self.cfg.set(key, value)

        def load(self):
            return wsgi_app

    Application(prog="barometer serve").run()


def cmd_serve(args) -> int:
    from .app import create_app
    from .cache import CacheConfigError
    from .data.load import DataFileError

    for name in ("workers", "threads"):
        if getattr(args, name) is not None and getattr(args, name) < 1:
            return _fail(f"--{name} must be a whole number of at least 1")
    if not 0 < args.port < 65536:
        return _fail("--port must be between 1 and 65535")
    if not args.dev:  # read before the data: a bad PORT, WEB_CONCURRENCY or BAROMETER_THREADS exits with a message
        import logging.config

        from . import gunicorn_conf

        logging.config.dictConfig(gunicorn_conf.logconfig_dict)  # what the app logs as it is made, as gunicorn will
    try:
        app = create_app(str(data_path(args.data)))
    except DataFileError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    except CacheConfigError as exc:
        return _fail(str(exc), 1)
    url = f"http://{args.host}:{args.port}/"
    if args.dev:
        print(f"Innovationsbarometer dashboard on {url} (development server: not for production)")
        from .security import DevRequestHandler

        app.run(host=args.host, port=args.port, debug=True, request_handler=DevRequestHandler,
                dev_tools_disable_version_check=True)  # no Server header, no call to plotly's servers
        return 0
    workers, threads = args.workers or gunicorn_conf.workers, args.threads or gunicorn_conf.threads
    print(f"Innovationsbarometer dashboard on {url} (gunicorn, {workers} workers x {threads} threads)", flush=True)
    _run_gunicorn(app.server, {"bind": [f"{args.host}:{args.port}"], "workers": workers, "threads": threads})
    return 0


def _filter_options(p: argparse.ArgumentParser) -> None:
    """Add the filter options (one per dimension of the registry, its flag made from its key) with what each
    accepts."""
    for dim in DIMENSIONS:
        codes = ("; ".join(f"{t(name, 'en')}: {', '.join(members)}" for name, members in dim.groups) if dim.groups
                 else ", ".join(dim.codes))
        p.add_argument(dim.flag, dest=dim.key, help=f"{'comma-separated' if dim.multiple else 'one of'}: {codes}")


def _numbers_options(p: argparse.ArgumentParser) -> None:
    """Add the options of a command that prints numbers: --format, --lang and --data."""
    p.add_argument("--format", choices=("csv", "json"), default="csv", help="csv (default) or json")
    p.add_argument("--lang", choices=LANGS, default=DEFAULT_LANG, help=f"language of the labels (default {DEFAULT_LANG})")
    p.add_argument("--data", help="microdata file; default: the shipped synthetic data")


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line, naming the help to read."""

    def error(self, message):
        self.exit(2, f"{self.prog}: {message} (see {self.prog} --help)\n")


def parser() -> argparse.ArgumentParser:
    """Return the argument parser of the `barometer` command."""
    p = _Parser(prog="barometer", description="Innovationsbarometer dashboard and data tools")
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser("serve", help="start the dashboard (gunicorn; --dev: the development server)")
    s.add_argument("--data", help="microdata file (CSV or Parquet); default: the shipped synthetic data")
    s.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1; 0.0.0.0: all)")
    s.add_argument("--port", type=int, default=8050)
    s.add_argument("--workers", type=int, help="worker processes (default: $WEB_CONCURRENCY or 2)")
    s.add_argument("--threads", type=int, help="threads per worker (default: $BAROMETER_THREADS or 4)")
    s.add_argument("--dev", "--debug", dest="dev", action="store_true",
                   help="Werkzeug's development server with Dash's debug tools, instead of gunicorn")
    s.set_defaults(run=cmd_serve)

    t = sub.add_parser("table", help="print the numbers behind a figure",
                       description="Print the numbers behind one figure for a filter, as the downloads publish them.")
    t.add_argument("figure", metavar="FIGURE", help=f"one of: {', '.join(IDS)}")
    _filter_options(t)
    t.add_argument("--by", metavar="DIM", help=f"break the figure down by one of: {', '.join(BY_KEYS)}")
    _numbers_options(t)
    t.set_defaults(run=cmd_table)

    from .data.questionnaire import QUESTIONS
    from .figures.explore import MAX_BY

    listing = sub.add_parser("questions",
                             help="list the questions of the questionnaire (id, wording, base, rounds, answers)")
    listing.add_argument("--format", choices=("text", "json"), default="text", help="text (default) or json")
    listing.add_argument("--lang", choices=LANGS, default=DEFAULT_LANG,
                         help=f"language of the texts (default {DEFAULT_LANG})")
    listing.set_defaults(run=cmd_questions)

    c = sub.add_parser("crosstab", help="print a question's answers, filtered and broken down by up to two dimensions",
                       description="Print the numbers of one question for a filter, broken down by up to "
                                   f"{MAX_BY} dimensions, as the question explorer's download publishes them.")
    c.add_argument("question", metavar="QUESTION", help=f"one of: {', '.join(q.id for q in QUESTIONS)}")
    _filter_options(c)
    c.add_argument("--by", metavar="DIM[,DIM]", help=f"comma-separated, at most {MAX_BY} of: {', '.join(BY_KEYS)}")
    _numbers_options(c)
    c.set_defaults(run=cmd_crosstab)

    g = sub.add_parser("synth", help="write calibrated synthetic microdata")
    g.add_argument("--seed", type=int, default=DEFAULT_SEED)
    g.add_argument("--out", required=True)
    g.add_argument("--scale", type=int, default=1, help="repeat the rows K times (for load tests)")
    g.set_defaults(run=cmd_synth)

    e = sub.add_parser("export", help="write every figure as PNG/SVG and the numbers as CSV/XLSX",
                       description="Write the figures for a filter into a folder: images, each figure's numbers "
                                   "and one workbook.")
    e.add_argument("--out", required=True, help="folder to write into (created if missing)")
    _filter_options(e)
    e.add_argument("--figures", help=f"comma-separated figure ids (default: all): {', '.join(IDS)}")
    e.add_argument("--formats", default="png,svg,csv,xlsx", help="comma-separated: png, svg, csv, xlsx")
    e.add_argument("--preset", choices=("a4", "slide"), default="slide")
    e.add_argument("--scale", type=float, default=3, help="PNG pixels per CSS pixel (default 3)")
    e.add_argument("--lang", choices=LANGS, default=DEFAULT_LANG, help=f"language of the texts (default {DEFAULT_LANG})")
    e.add_argument("--data", help="microdata file; default: the shipped synthetic data")
    e.set_defaults(run=cmd_export)

    v = sub.add_parser("validate", help="check a microdata file against the data contract")
    v.add_argument("path")
    v.add_argument("--checksum", action="store_true",
                   help="once the file passes, write its SHA-256 to PATH.sha256, which every later read checks")
    v.set_defaults(run=cmd_validate)
    return p


def _drop_stdout() -> None:
    """Point stdout at /dev/null, so that what could not be written is not tried again at exit."""
    sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - open until the process ends


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit code. A failure to read or write (a full disk, a folder without
    permission, a closed pipe) is one line on stderr and exit code 1, never a traceback."""
    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except BrokenPipeError:  # the reader went away (e.g. `barometer table fig1 | head -1`)
        _drop_stdout()
        return 1
    except OSError as exc:
        _drop_stdout()
        sys.unraisablehook = lambda unraisable: None  # what a library's half-written files say as they are dropped
        reason = {errno.ENOSPC: "no space left on the device", errno.EFBIG: "the file is too large to write here",
                  errno.EACCES: "permission denied", errno.EROFS: "the file system is read-only"}.get(
                      exc.errno, exc.strerror or str(exc))
        where = f" ({exc.filename})" if exc.filename else ""
        return _fail(f"{args.command}: cannot write{where}: {reason}", 1)
    except KeyboardInterrupt:
        return _fail("interrupted", 130)


if __name__ == "__main__":
    sys.exit(main())
