"""nngmix explorer: `streamlit run app.py`. Pages are thin views over the nngmix library."""

import streamlit as st

from pages._shared import init_state, sidebar_summary, warm_up

st.set_page_config(page_title="nngmix — NNG-Mix explorer", page_icon="🧪", layout="wide")
init_state()

pages = [
    st.Page("pages/data.py", title="Data", icon="📂", default=True),
    st.Page("pages/generate.py", title="Generate", icon="✨"),
    st.Page("pages/train.py", title="Train", icon="📈"),
    st.Page("pages/results.py", title="Results", icon="📊"),
    st.Page("pages/learn.py", title="Learn", icon="🎓"),
]
nav = st.navigation(pages)
try:
    nav.run()
finally:  # after the page, so it shows what the page just chose (also when a page stops early)
    with st.sidebar:
        sidebar_summary()
    warm_up()
