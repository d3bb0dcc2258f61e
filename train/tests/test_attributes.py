import json

import torch

from seedface_train.attributes import ATTRIBUTES, directions, fit_run_attributes


def test_a_planted_direction_is_recovered():
    gen = torch.Generator().manual_seed(0)
    eps = torch.randn(2000, 16, generator=gen)
    truth = torch.zeros(16)
    truth[3], truth[7] = 0.6, 0.8
    smiling = torch.rand(2000, generator=gen) < 0.5
    eps[smiling] += 1.5 * truth  # smilers sit 1.5 units further along `truth`
    keys = [f"k{i}" for i in range(2000)]
    labels = {k: {"Smiling": "1" if s else "-1"} for k, s in zip(keys, smiling.tolist())}
    found = directions(eps, keys, labels)
    assert set(found) == {"smile"}  # no other attribute has labels here
    direction = torch.tensor(found["smile"]["direction"])
    assert float(direction @ truth) > 0.97
    assert abs(found["smile"]["scale"] - 1.5) < 0.25


def test_utkface_rows_label_age_and_gender():
    age, gender = ATTRIBUTES["age"][0], ATTRIBUTES["gender"][0]
    assert age({"age": "62"}) == 1 and age({"age": "9"}) == -1 and age({"age": "17"}) == -1
    assert age({"age": "18"}) is None and age({"age": "42"}) is None
    assert gender({"gender": "0", "Male": ""}) == 1 and gender({"gender": "1", "Male": ""}) == -1
    assert age({"age": "", "Young": "1"}) is None and gender({"Male": "-1"}) == -1  # only measured ages count


def test_age_is_measured_within_gender():
    gen = torch.Generator().manual_seed(1)
    eps = torch.randn(4000, 8, generator=gen)
    male = torch.rand(4000, generator=gen) < 0.5
    old = torch.rand(4000, generator=gen) < torch.where(male, 0.7, 0.3)  # age and gender confounded
    eps[male, 0] += 2.0
    eps[old, 1] += 2.0
    keys = [f"k{i}" for i in range(4000)]
    labels = {k: {"gender": "0" if m else "1", "age": "60" if o else "12"}
              for k, m, o in zip(keys, male.tolist(), old.tolist())}
    found = directions(eps, keys, labels)
    age, gender = torch.tensor(found["age"]["direction"]), torch.tensor(found["gender"]["direction"])
    assert float(age[1]) > 0.99 and abs(float(age[0])) < 0.1  # a plain class-mean difference has 0.37 on axis 0
    assert float(gender[0]) > 0.9


def test_a_run_gets_an_attributes_file(trained_run, tmp_path):
    index = tmp_path / "index.csv"
    rows = [f"synth-{i:06d},{'1' if i % 2 else '-1'}" for i in range(48)]
    index.write_text("key,Smiling\n" + "\n".join(rows) + "\n")
    fit_run_attributes(trained_run, index)
    doc = json.loads((trained_run / "attributes.json").read_text())
    assert doc["strengthRange"] == [-2, 2]
    assert doc["attributes"] == {}  # 40 labelled training faces: fewer than the 50 per class a direction needs
