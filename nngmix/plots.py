"""Plotly figure builders: pure functions of data, no Streamlit."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

COLOURS = {"unlabeled": "#adb5bd", "hidden": "#fd7e14", "labeled": "#d6336c", "pseudo": "#1c7ed6", "test": "#37b24d"}


def projection_figure(points: dict[str, np.ndarray], hover: dict[str, list[str]] | None = None,
                      lines: list[tuple[np.ndarray, np.ndarray]] | None = None, title: str = "") -> go.Figure:
    """Scatter of named point sets (keys of COLOURS) in 2-D, WebGL; ``lines`` join a row to its parents."""
    names = {"unlabeled": "unlabeled", "hidden": "hidden anomalies (unlabeled)", "labeled": "labeled anomalies",
             "pseudo": "pseudo-anomalies", "test": "test rows"}
    sizes = {"unlabeled": 4, "hidden": 7, "labeled": 10, "pseudo": 5, "test": 4}
    symbols = {"hidden": "diamond", "labeled": "star", "pseudo": "circle-open"}
    fig = go.Figure()
    for key, xy in points.items():
        if xy is None or len(xy) == 0:
            continue
        fig.add_trace(go.Scattergl(
            x=xy[:, 0], y=xy[:, 1], mode="markers", name=names.get(key, key),
            marker=dict(color=COLOURS.get(key), size=sizes.get(key, 5), symbol=symbols.get(key, "circle"),
                        opacity=0.55 if key in ("unlabeled", "test") else 0.9),
            text=(hover or {}).get(key), hoverinfo="text" if hover and key in hover else "x+y",
        ))
    for child, parents in lines or []:
        for parent in parents:
            fig.add_trace(go.Scattergl(x=[child[0], parent[0]], y=[child[1], parent[1]], mode="lines",
                                       line=dict(color="#212529", width=2), showlegend=False, hoverinfo="skip"))
    fig.update_layout(title=title, height=560, margin=dict(l=10, r=10, t=40, b=10), legend=dict(orientation="h"),
                      xaxis=dict(showticklabels=False, title=None), yaxis=dict(showticklabels=False, title=None))
    return fig


def beta_density_figure(alpha: float, beta: float, uniform: bool = False) -> go.Figure:
    """Density of λ ~ Beta(α, β) (or U(0, 1))."""
    from scipy import stats

    x = np.linspace(0.001, 0.999, 400)
    y = np.ones_like(x) if uniform else stats.beta(alpha, beta).pdf(x)
    fig = go.Figure(go.Scatter(x=x, y=y, mode="lines", fill="tozeroy", line=dict(color=COLOURS["pseudo"])))
    label = "U(0, 1)" if uniform else f"Beta({alpha:g}, {beta:g})"
    fig.update_layout(title=f"λ ~ {label}", height=220, margin=dict(l=10, r=10, t=40, b=10),
                      xaxis_title="λ (weight of the anchor)", yaxis=dict(title=None, range=[0, min(8, float(np.nanmax(y)) * 1.05)]))
    return fig


def curves_figure(epochs: list[dict], labels: dict[int, str], metric: str = "auc_roc") -> go.Figure:
    """One line per run of ``metric`` against epoch (pre-training then training epochs run on)."""
    titles = {"auc_roc": "test AUC-ROC", "auc_pr": "test AUC-PR", "loss": "training loss"}
    fig = go.Figure()
    by_run: dict[int, list[dict]] = {}
    for row in epochs:
        by_run.setdefault(row["run_id"], []).append(row)
    for run_id, rows in by_run.items():
        xs = list(range(1, len(rows) + 1))
        ys = [r.get(metric) for r in rows]
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", name=labels.get(run_id, f"run {run_id}")))
    fig.update_layout(title=titles.get(metric, metric), height=320, margin=dict(l=10, r=10, t=40, b=10),
                      xaxis_title="epoch (pre-training, then training)", legend=dict(orientation="h"))
    return fig


def feature_histogram(values_normal: np.ndarray, values_anomaly: np.ndarray, name: str) -> go.Figure:
    fig = go.Figure()
    fig.add_trace(go.Histogram(x=values_normal, name="normal", histnorm="probability density", opacity=0.6,
                               marker_color=COLOURS["unlabeled"]))
    fig.add_trace(go.Histogram(x=values_anomaly, name="anomaly", histnorm="probability density", opacity=0.6,
                               marker_color=COLOURS["labeled"]))
    fig.update_layout(barmode="overlay", title=name, height=260, margin=dict(l=10, r=10, t=40, b=10))
    return fig


def heatmap_figure(table, title: str = "") -> go.Figure:
    """A datasets × multipliers table (pandas DataFrame) as a heatmap."""
    fig = go.Figure(go.Heatmap(z=table.values, x=[str(c) for c in table.columns], y=[str(i) for i in table.index],
                               colorscale="RdBu", zmid=float(np.nanmean(table.values)) if table.size else None,
                               text=np.round(table.values, 3), texttemplate="%{text}"))
    fig.update_layout(title=title, height=max(260, 28 * len(table) + 80), margin=dict(l=10, r=10, t=40, b=10))
    return fig
