"""Data page: choose a dataset (catalog, built-in or upload), the protocol settings, see the split."""

import io
import re

import numpy as np
import streamlit as st

from nngmix import _config
from nngmix.data import DataError, load_csv, load_npz
from nngmix.plots import feature_histogram
from pages._shared import RATIOS, card_for, catalog, current_split, setting_widget, show_error

st.title("Data")
cards = catalog()
groups = sorted({c.group for c in cards}, key=lambda g: (g != "Built-in", g))
current = card_for(st.session_state["dataset_key"])

left, right = st.columns([2, 3])
with left:
    group = st.selectbox("Group", groups, index=groups.index(current.group), key="data_group")
    names = [c.name for c in cards if c.group == group]
    name = st.selectbox("Dataset", names, index=names.index(current.name) if current.name in names else 0, key="data_name")
    st.session_state["dataset_key"] = f"{group}/{name}"
    card = card_for(st.session_state["dataset_key"])
    if card.description:
        st.caption(card.description)
    c1, c2 = st.columns(2)
    c3, c4 = st.columns(2)
    c1.metric("samples", f"{card.n_samples:,}")
    c2.metric("features", card.n_features)
    c3.metric("anomalies", f"{card.n_anomalies:,}")
    c4.metric("anomaly %", f"{card.anomaly_pct:.2f}")

    with st.expander("Upload your own data (CSV or NPZ)"):
        upload = st.file_uploader("File", type=["csv", "npz"], key="upload")
        label_column = st.text_input("Label column (CSV)", value="label", help="1 = anomaly, 0 = normal")
        if upload is not None and st.button("Add to the catalog", key="add_upload"):
            try:
                if upload.name.endswith(".npz"):
                    tmp = _config.cache_dir("uploads") / "upload.npz"
                    tmp.write_bytes(upload.getvalue())
                    X, y = load_npz(tmp)
                else:
                    X, y = load_csv(io.BytesIO(upload.getvalue()), label_column, source=upload.name)
                stem = re.sub(r"[^A-Za-z0-9_.-]", "_", upload.name.rsplit(".", 1)[0]) or "upload"
                target = _config.home() / "datasets" / "custom" / f"{stem}.npz"
                target.parent.mkdir(parents=True, exist_ok=True)
                np.savez(target, X=X, y=y)
                catalog.clear()
                st.session_state["dataset_key"] = f"custom/{stem}"
                st.success(f"Added {stem}: {len(X)} rows, {X.shape[1]} features, {int(y.sum())} anomalies.")
                st.rerun()
            except DataError as exc:
                show_error(exc)

with right:
    st.subheader("Protocol")
    a, b, c, d = st.columns(4)
    setting_widget(a.number_input, "Seed", "seed", min_value=0, max_value=2**31 - 1, step=1)
    setting_widget(b.radio, "Labeled anomalies", "labeled_share", list(RATIOS), horizontal=True,
                   help="--ratio 1.0 | 0.5 | 0.1: share of training anomalies that are labeled")
    setting_widget(c.toggle, "Bootstrap to 1000 rows", "duplicate", help="ADBench duplicates datasets under 1000 rows")
    setting_widget(d.toggle, "Subsample to 10000", "subsample")
    try:
        split = current_split()
    except DataError as exc:
        show_error(exc)
        st.stop()
    counts = split.counts
    m = st.columns(5)
    m[0].metric("unlabeled rows", f"{counts['unlabeled']:,}")
    m[1].metric("hidden anomalies", f"{counts['hidden_anomalies']:,}", help="true anomalies among the unlabeled rows")
    m[2].metric("labeled anomalies", counts["labeled_anomalies"])
    m[3].metric("test rows", f"{counts['test']:,}")
    m[4].metric("test anomalies", counts["test_anomalies"])
    if counts["labeled_anomalies"] == 1:
        st.warning("Only 1 labeled anomaly: NNG-Mix's anomaly–anomaly branch will mix it with itself.")

st.subheader("Features: normal vs anomaly (training part, true labels)")
true_anomaly = split.labeled | split.hidden_anomaly
n_features = split.X_train.shape[1]
chosen = st.multiselect("Features", list(range(n_features)), default=list(range(min(3, n_features))),
                        format_func=lambda j: f"feature {j}", max_selections=6, key="features")
cols = st.columns(max(1, min(3, len(chosen))))
for i, j in enumerate(chosen):
    cols[i % len(cols)].plotly_chart(feature_histogram(split.X_train[~true_anomaly, j], split.X_train[true_anomaly, j],
                                                       f"feature {j}"), width="stretch", key=f"hist{j}")
