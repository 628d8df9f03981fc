"""A data-science handler: pandas, pyarrow (Parquet) and scikit-learn, with numpy and scipy
beneath them. Slimmed, that is still over Lambda's 250 MiB for a zip: an image function."""

import io

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from sklearn.linear_model import LinearRegression


def handler(event, context):
    rows = int(event.get("rows", 100))
    frame = pd.DataFrame({"x": range(rows)})
    frame["y"] = 3 * frame["x"] + 2
    parquet = io.BytesIO()
    pq.write_table(pa.Table.from_pandas(frame), parquet)
    back = pq.read_table(pa.BufferReader(parquet.getvalue())).to_pandas()
    model = LinearRegression().fit(back[["x"]], back["y"])
    return {"rows": len(back), "coef": round(float(model.coef_[0]), 4),
            "intercept": round(float(model.intercept_), 4),
            "parquet_bytes": len(parquet.getvalue()),
            "pandas": pd.__version__, "pyarrow": pa.__version__}
