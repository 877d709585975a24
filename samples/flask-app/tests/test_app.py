"""Tests of the sample service with Flask's test client."""
from app import app


def test_index_returns_version(monkeypatch):
    monkeypatch.setenv("APP_VERSION", "1.2.3")
    response = app.test_client().get("/")
    assert response.status_code == 200
    assert response.get_json()["version"] == "1.2.3"


def test_healthz_returns_ok():
    response = app.test_client().get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}
