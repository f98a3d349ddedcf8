import pathlib

import pytest

import boundlab

ROOT = pathlib.Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def engine(tmp_path_factory):
    return boundlab.Engine(out_dir=tmp_path_factory.mktemp("runs"), seed=1, progress=None)


@pytest.fixture(scope="session")
def root():
    return ROOT
