"""Results page: every run in the store, curves, paper-style tables, exports."""

import json

import numpy as np
import pandas as pd
import streamlit as st

from nngmix.cli import command_line
from nngmix.experiment import Experiment
from nngmix.plots import curves_figure, heatmap_figure
from pages._shared import job_manager, show_error, store

st.title("Results")
runs = store().list_runs()
if not runs:
    st.info("The run store is empty: train something on the Train page or with `python -m nngmix run`.")
    st.stop()

rows = []
for r in runs:
    c, m = r["config"], r["metrics"] or {}
    rows.append({"id": r["id"], "dataset": c["dataset"], "detector": c["detector"],
                 "method": "baseline" if c["multiplier"] == 0 else c["method"], "multiplier": c["multiplier"],
                 "seed": c["seed"], "ratio": c["ratio"], "status": r["status"], "auc_roc": m.get("auc_roc"),
                 "auc_pr": m.get("auc_pr"), "device": r["device"]})
table = pd.DataFrame(rows)

f1, f2, f3, f4 = st.columns(4)
filters = {}
for col, name in zip((f1, f2, f3, f4), ("dataset", "method", "detector", "status")):
    filters[name] = col.multiselect(name, sorted(table[name].dropna().unique()), key=f"filter_{name}")
view = table
for name, chosen in filters.items():
    if chosen:
        view = view[view[name].isin(chosen)]
st.dataframe(view, hide_index=True, width="stretch")
st.download_button("Export CSV", view.to_csv(index=False), "nngmix_runs.csv", "text/csv")

selected = st.multiselect("Overlay curves of runs", view["id"].tolist(), default=view["id"].tolist()[:3], key="overlay")
if selected:
    labels = {i: f"#{i}" for i in selected}
    st.plotly_chart(curves_figure(store().epochs(selected), labels, "auc_roc"), width="stretch", key="overlay_fig")

st.subheader("Paper-style table")
done = view[(view["status"] == "done") & view["auc_roc"].notna()]
if len(done):
    detector = st.selectbox("Detector", sorted(done["detector"].unique()), key="table_detector")
    method = st.selectbox("Method", sorted(set(done["method"]) - {"baseline"}) or ["baseline"], key="table_method")
    part = done[(done["detector"] == detector) & done["method"].isin([method, "baseline"])]
    mean = part.pivot_table(index="dataset", columns="multiplier", values="auc_roc", aggfunc="mean")
    std = part.pivot_table(index="dataset", columns="multiplier", values="auc_roc", aggfunc="std")
    mean.loc["avg"] = mean.mean()
    std = std.reindex(index=mean.index, columns=mean.columns)
    shown = pd.DataFrame({c: [f"{m:.4f}" + (f" ± {sd:.4f}" if pd.notna(sd) and sd else "")
                              for m, sd in zip(mean[c], std[c])] for c in mean.columns}, index=mean.index)
    st.dataframe(shown, width="stretch")
    st.plotly_chart(heatmap_figure(mean, f"{detector} · {method}: test AUC-ROC (mean over seeds)"), width="stretch",
                    key="heatmap")

st.subheader("A configuration")
run_id = st.selectbox("Run", view["id"].tolist(), key="config_run")
cfg = next(r["config"] for r in runs if r["id"] == run_id)
st.code(command_line(Experiment.from_dict(cfg)), language="bash")
st.download_button("Export configuration (JSON)", json.dumps(cfg, indent=2), f"nngmix_run_{run_id}.json", "application/json")
uploaded = st.file_uploader("Import a configuration (JSON) and run it", type=["json"], key="import_config")
if uploaded is not None and st.button("Queue it", key="queue_import"):
    try:
        new_id = job_manager().submit(Experiment.from_dict(json.loads(uploaded.getvalue())))
        st.session_state.setdefault("train_runs", []).append(new_id)
        st.success(f"Queued run #{new_id}; follow it on the Train page.")
    except Exception as exc:
        show_error(exc)
