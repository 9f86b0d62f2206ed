"""Shared fixtures: one dashboard app over the synthetic data, built once per test session."""

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


@pytest.fixture(scope="session", autouse=True)
def jobs_directory(tmp_path_factory):
    """Background jobs of the test session's apps keep their files in a folder of the session's own."""
    if "BAROMETER_JOBS_DIR" not in os.environ:
        os.environ["BAROMETER_JOBS_DIR"] = str(tmp_path_factory.mktemp("jobs"))
    yield os.environ["BAROMETER_JOBS_DIR"]


@pytest.fixture(scope="session")
def synth_data():
    """The calibrated synthetic microdata (the generator's default seed)."""
    from dashboard.data.synth import generate

    return generate()


@pytest.fixture(scope="session")
def app(synth_data):
    """The dashboard app over the synthetic data."""
    from dashboard.app import create_app

    return create_app(synth_data)


@pytest.fixture(scope="session")
def figure_data(synth_data):
    """The figure tables of the same data, computed outside the app, to check its answers."""
    from dashboard.figures.tables import FigureData

    return FigureData(synth_data)


@pytest.fixture()
def client(app):
    """An in-process HTTP client of the app's Flask server."""
    return app.server.test_client()


@pytest.fixture(scope="module")
def server_url():
    """The dashboard on the shipped data, served on a free local port for the module's browser tests."""
    from dashboard.app import create_app
    from tests.local_server import serving
    from tests.shipped import shipped

    with serving(create_app(shipped())) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    """A headless Chromium for the module's browser tests."""
    from tests.local_server import chromium

    with chromium() as b:
        yield b


@pytest.fixture(scope="module")
def fd():
    """The figure tables of the synthetic data, built once per test module that uses them."""
    from dashboard.data.synth import generate
    from dashboard.figures.tables import FigureData

    return FigureData(generate())
