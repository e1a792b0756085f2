"""``python -m nngmix``: datasets, downloads, generation and the official NNG_Mix.py experiment."""

from __future__ import annotations

import argparse
import logging
import sys

from nngmix import __version__


class CLIError(Exception):
    """A user error: printed as one line, exit status 2."""


def _add_data_dir(p):
    p.add_argument("--data-dir", action="append", default=[], metavar="DIR",
                   help="a data root holding ADBench group folders (repeatable; also $NNGMIX_DATA)")


def cmd_datasets(args) -> int:
    from nngmix.data import scan

    cards = scan(args.data_dir)
    if args.group:
        cards = [c for c in cards if c.group == args.group]
    print(f"{'group':<16}{'name':<28}{'samples':>8}{'features':>9}{'anomalies':>10}{'%':>7}")
    for c in cards:
        print(f"{c.group:<16}{c.name:<28}{c.n_samples:>8}{c.n_features:>9}{c.n_anomalies:>10}{c.anomaly_pct:>7.2f}")
    return 0


def cmd_download(args) -> int:
    from tqdm import tqdm

    from nngmix.data._download import DownloadError, download

    bars: dict[str, tqdm] = {}

    def progress(name, done, total):
        bar = bars.get(name) or bars.setdefault(name, tqdm(total=total, unit="B", unit_scale=True, desc=name, leave=False))
        bar.update(done - bar.n)

    try:
        results = download(args.names, args.group, args.data_dir[0] if args.data_dir else None, args.base_url,
                           progress=None if args.quiet else progress)
    except DownloadError as exc:
        raise CLIError(str(exc)) from None
    finally:
        for bar in bars.values():
            bar.close()
    for r in results:
        print(f"{r.status:<11}{r.group}/{r.name}  {r.message or r.path}")
    failed = [r for r in results if r.status == "failed"]
    print(f"{len(results) - len(failed)} of {len(results)} file(s) ready; {len(failed)} failed.")
    return 1 if failed else 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m nngmix", description=__doc__)
    parser.add_argument("--version", action="version", version=f"nngmix {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log at INFO level")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("datasets", help="list the datasets the catalog finds")
    _add_data_dir(p)
    p.add_argument("--group", help="only this group (Classical, CV_by_ResNet18, Built-in, …)")
    p.set_defaults(func=cmd_datasets)

    p = sub.add_parser("download", help="fetch ADBench files into a data root",
                       description="Fetch ADBench .npz files. Files already present are skipped; partial files "
                                   "resume; a file is kept only after it loads as a valid ADBench npz.")
    p.add_argument("names", nargs="*", help="dataset names (6_cardio or cardio); none = the whole --group")
    p.add_argument("--group", help="Classical, CV_by_ResNet18, CV_by_ViT, NLP_by_BERT, NLP_by_RoBERTa (or CV, NLP)")
    _add_data_dir(p)
    p.add_argument("--base-url", help="where the group folders live (default: ADBench's GitHub repository)")
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    p.set_defaults(func=cmd_download)

    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(message)s")
    try:
        return args.func(args)
    except CLIError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
