"""Tables as the anomaly-detection community reads them: per dataset mean ± std over seeds, an average row,
each method's average rank, wins / ties / losses against the baseline, and a Wilcoxon signed-rank p-value
against the baseline over datasets."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

BASELINE_COLUMN = "baseline"
#: Two means closer than this count as a tie.
TIE = 1e-3


def results_frame(runs: list[dict], metric: str = "auc_roc"):
    """One row per finished run: dataset, detector, method ('baseline' for multiplier 0), multiplier, ratio, seed, value."""
    import pandas as pd

    rows = []
    for r in runs:
        if r["status"] != "done" or not r["metrics"] or r["metrics"].get(metric) is None:
            continue
        c = r["config"]
        rows.append({"dataset": c["dataset"], "detector": c["detector"], "ratio": c["ratio"], "seed": c["seed"],
                     "multiplier": c["multiplier"],
                     "method": BASELINE_COLUMN if c["multiplier"] == 0 or c["method"] == "none" else c["method"],
                     "value": r["metrics"][metric]})
    return pd.DataFrame(rows, columns=["dataset", "detector", "ratio", "seed", "multiplier", "method", "value"])


@dataclass
class PaperTable:
    mean: "object"  # DataFrame datasets × methods
    std: "object"
    rank: "object"  # Series: average rank per method (1 = best)
    wins_ties_losses: dict  # method -> (wins, ties, losses) against the baseline
    p_value: dict  # method -> one-sided Wilcoxon p-value (method > baseline)
    title: str = ""

    def formatted(self):
        """The table as text cells: mean ± std per dataset, then avg, rank, W/T/L and p-value rows."""
        import pandas as pd

        cells = pd.DataFrame(index=self.mean.index, columns=self.mean.columns, dtype=object)
        for col in self.mean.columns:
            for idx in self.mean.index:
                m, s = self.mean.at[idx, col], self.std.at[idx, col]
                cells.at[idx, col] = "—" if pd.isna(m) else f"{m:.4f}" + (f" ± {s:.4f}" if pd.notna(s) and s > 0 else "")
        cells.loc["avg"] = [f"{v:.4f}" for v in self.mean.mean()]
        cells.loc["rank"] = [f"{self.rank[c]:.2f}" for c in self.mean.columns]
        cells.loc["W/T/L vs baseline"] = ["" if c == BASELINE_COLUMN else "{}/{}/{}".format(*self.wins_ties_losses[c])
                                          for c in self.mean.columns]
        cells.loc["p-value (Wilcoxon)"] = ["" if c == BASELINE_COLUMN or np.isnan(self.p_value[c]) else f"{self.p_value[c]:.3g}"
                                           for c in self.mean.columns]
        return cells

    def to_markdown(self) -> str:
        cells = self.formatted()
        header = "| dataset | " + " | ".join(map(str, cells.columns)) + " |"
        lines = [f"### {self.title}", "", header, "|" + "---|" * (len(cells.columns) + 1)]
        lines += ["| " + str(idx) + " | " + " | ".join(str(v) for v in row) + " |" for idx, row in cells.iterrows()]
        return "\n".join(lines) + "\n"


def paper_table(frame, *, detector: str, ratio: float, multiplier: float) -> PaperTable:
    """Datasets × (baseline, methods at this multiplier), over seeds; needs the baseline runs."""
    from scipy.stats import wilcoxon

    part = frame[(frame["detector"] == detector) & (frame["ratio"] == ratio)
                 & ((frame["multiplier"] == multiplier) | (frame["method"] == BASELINE_COLUMN))]
    grouped = part.groupby(["dataset", "method"])["value"]
    mean = grouped.mean().unstack("method")
    std = grouped.std(ddof=0).unstack("method")
    columns = [BASELINE_COLUMN] + sorted(c for c in mean.columns if c != BASELINE_COLUMN)
    if BASELINE_COLUMN not in mean.columns:
        raise ValueError(f"No baseline (multiplier 0) runs for {detector} at ratio {ratio}: add multiplier 0 to the sweep.")
    mean, std = mean.reindex(columns=columns), std.reindex(columns=columns)
    rank = mean.rank(axis=1, ascending=False, method="average").mean()
    wtl, p = {}, {}
    for col in columns[1:]:
        both = mean[[BASELINE_COLUMN, col]].dropna()
        diff = both[col] - both[BASELINE_COLUMN]
        wtl[col] = (int((diff > TIE).sum()), int((diff.abs() <= TIE).sum()), int((diff < -TIE).sum()))
        nonzero = diff[diff.abs() > 0]
        p[col] = float(wilcoxon(nonzero, alternative="greater").pvalue) if len(nonzero) >= 2 else float("nan")
    title = f"{detector} · ratio {ratio:g} · ×{multiplier:g} — test AUC-ROC, mean ± std over seeds"
    return PaperTable(mean, std, rank, wtl, p, title)


def write_tables(frame, out_dir, stem: str = "sweep") -> list[Path]:
    """One CSV and one Markdown section per (detector, ratio, multiplier ≥ 1); returns the files written."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written, markdown = [], []
    keys = frame[frame["multiplier"] > 0][["detector", "ratio", "multiplier"]].drop_duplicates().sort_values(
        ["detector", "ratio", "multiplier"]).itertuples(index=False)
    for detector, ratio, multiplier in keys:
        table = paper_table(frame, detector=detector, ratio=ratio, multiplier=multiplier)
        path = out_dir / f"{stem}_{detector}_ratio{ratio:g}_x{multiplier:g}.csv"
        table.formatted().to_csv(path, index_label="dataset")
        written.append(path)
        markdown.append(table.to_markdown())
    md = out_dir / f"{stem}.md"
    md.write_text("\n".join(markdown))
    return written + [md]
