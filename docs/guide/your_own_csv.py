# %% [markdown]
# # Your own CSV, end to end
#
# A practitioner's table is rarely the tidy matrix of numbers a textbook starts
# from. This page takes one as a new user would: numbers on very different
# scales, a column of words, a few missing cells, a header, and a label that is
# a word. It trains on it with `nnlearn train`, evaluates, predicts on new rows
# whose columns come in another order, and then does the same in Python with
# scikit-learn. Every command below ran when this site was built; what you read
# under each is what it printed.

# %%
import pickle
import shlex
import subprocess
import sys

import numpy as np
import pandas as pd
from sklearn.compose import make_column_transformer
from sklearn.impute import SimpleImputer
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from nnlearn import NeuralNetClassifier
from nnlearn.training import load_model


def sh(command):
    """Run an ``nnlearn ...`` command line as a shell would, and show what it printed."""
    args = shlex.split(command)
    result = subprocess.run([sys.executable, "-m", "nnlearn", *args[1:]],
                            capture_output=True, text=True)
    print(f"$ {command}")
    print((result.stdout + result.stderr).rstrip())
    if result.returncode:
        print(f"[exit status {result.returncode}]")


# %% [markdown]
# ## The table
#
# 600 customers: their age (years), their income (euros a year), the colour
# of the plan they chose, and whether they bought the offer. Five cells are
# missing, written as a spreadsheet or pandas writes them: an empty cell, `NA`,
# `NaN`, `null`.

# %%
rng = np.random.default_rng(0)
n = 600
age = rng.integers(18, 80, n)
income = rng.normal(52_000, 15_000, n).clip(9_000).round(-2)
plan = np.array(["red", "green", "blue"])[rng.integers(0, 3, n)]
score = (age - 48) / 14 + (income - 52_000) / 15_000 + 1.2 * (plan == "red")
label = np.where(score + rng.normal(0, 0.5, n) > 0.4, "buys", "passes")
rows = [[str(a), f"{i:.0f}", p, y] for a, i, p, y in zip(age, income, plan, label)]
for r, j, cell in [(3, 0, "NA"), (41, 1, ""), (77, 2, "null"), (120, 0, "NaN"),
                   (333, 1, "NA")]:
    rows[r][j] = cell
with open("customers.csv", "w") as f:
    f.write("age,income,plan,bought\n" + "".join(",".join(r) + "\n" for r in rows))
print(open("customers.csv").read()[:200])

# %% [markdown]
# ## Train: missing cells are an error until you say what to do
#
# The label is the last column (`--label` names another). By default a
# missing cell stops the run; the message counts every one, names the first
# few, and says how to go on.

# %%
sh("nnlearn train --data customers.csv --out run")

# %% [markdown]
# `--missing impute` fills each gap with its column's median (numbers) or most
# frequent value (words), learnt on the training part only. The column of words
# is one-hot encoded: one input per colour. The run prints both.
# `--standardize` scales every input by the training part's mean and standard
# deviation, which mixed scales (years beside euros) need. `--early-stopping`
# holds a tenth of the training part out and keeps the epoch with the best
# accuracy on it; `--class-weight balanced` makes both classes weigh the same.

# %%
sh("nnlearn train --data customers.csv --missing impute --standardize --hidden 32 "
   "--epochs 300 --early-stopping --patience 20 --class-weight balanced --no-progress-bar "
   "--out run")

# %% [markdown]
# The model file keeps what the columns were: their names in order, the
# categories of `plan`, the values that fill gaps, and the label's name. It is
# JSON beside the weights, never pickle (see [model files](../model-files.md)).

# %%
meta = load_model("run/model.npz").metadata
print(meta["feature_names_in"], meta["label_name"])
print(meta["encoding"])

# %% [markdown]
# ## Evaluate
#
# Without `--data`, `evaluate` splits the training file's test part again as in
# training, and prints scikit-learn's classification report: precision, recall
# and F1 of each class, and their macro and weighted averages (also in
# `evaluation.json` with `--out`).

# %%
sh("nnlearn evaluate --model run/model.npz")

# %% [markdown]
# ## Predict on new rows
#
# New rows come from another system: the columns in another order, an extra
# `id` column, a missing income and a colour the model never saw. Columns are
# matched by their header names; the extra one is ignored, with a warning; the
# gap is filled as in training; the unseen colour encodes as all zeros and is
# counted in a warning. `--out -` writes the predictions to standard output.

# %%
with open("new.csv", "w") as f:
    f.write("id,plan,income,age\n"
            "1,red,61000,52\n"
            "2,blue,,35\n"
            "3,purple,48000,29\n")
sh("nnlearn predict --model run/model.npz --data new.csv --out -")

# %% [markdown]
# A column the model needs and the file lacks is refused in one line that
# names it, rather than a prediction made from the wrong numbers:

# %%
with open("short.csv", "w") as f:
    f.write("plan,age\nred,52\n")
sh("nnlearn predict --model run/model.npz --data short.csv --out -")

# %% [markdown]
# ## The same in Python, with scikit-learn
#
# `NeuralNetClassifier` is a scikit-learn estimator: in a `Pipeline`, the
# gaps and the column of words are scikit-learn's transformers' work, and
# `GridSearchCV` tunes it like any other model. A fitted model pickles without
# any row of the data it was trained on (the layers drop the last batch they
# saw), so it can be shared.

# %%
table = pd.read_csv("customers.csv")
X, y = table.drop(columns="bought"), table["bought"]
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=0,
                                                    stratify=y)
columns = make_column_transformer(
    (make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), ["age", "income"]),
    (make_pipeline(SimpleImputer(strategy="most_frequent"),
                   OneHotEncoder(handle_unknown="ignore")), ["plan"]))
model = make_pipeline(columns, NeuralNetClassifier(hidden=(32,), epochs=100, lr=3e-3,
                                                   early_stopping=True, random_state=0))
search = GridSearchCV(model, {"neuralnetclassifier__hidden": [(8,), (32,)]}, cv=3)
search.fit(X_train, y_train)
print(search.best_params_, f"test accuracy {search.score(X_test, y_test):.3f}")
print(f"pickled: {len(pickle.dumps(search.best_estimator_)) / 1024:.0f} KiB")

# %% [markdown]
# The estimator also reads such a DataFrame itself, with the command line's
# rule: the column of words one-hot encoded, missing values an error unless
# `missing="impute"`. The numbers still need scaling (years beside euros): a
# `StandardScaler` on them, which passes the gaps and the words through as a
# DataFrame. And a model file from `nnlearn train` loads as an estimator that
# encodes its columns as the command line did.

# %%
scale = make_column_transformer((StandardScaler(), ["age", "income"]), remainder="passthrough",
                                verbose_feature_names_out=False).set_output(transform="pandas")
clf = make_pipeline(scale, NeuralNetClassifier(hidden=(32,), epochs=100, lr=3e-3,
                                               missing="impute", random_state=0))
clf.fit(X_train, y_train)
net = clf[-1]
print(net.feature_names_in_, net.encoding_.feature_names_out())
print(f"test accuracy {clf.score(X_test, y_test):.3f}")
loaded = NeuralNetClassifier.load("run/model.npz")
print(loaded.predict(pd.read_csv("new.csv")[["age", "income", "plan"]]))
