"""A small web service for trying the Kaniko Build on AKS task.

GET / returns a greeting with the version that was built into the image, and
GET /healthz returns 200 for the Kubernetes probes.
"""
import os

from flask import Flask, jsonify

app = Flask(__name__)


@app.get("/")
def index():
    return jsonify(
        message="Hello from an image built by kaniko",
        version=os.environ.get("APP_VERSION", "dev"),
    )


@app.get("/healthz")
def healthz():
    return jsonify(status="ok")


if __name__ == "__main__":
    # Flask's development server, for running the app without a container.
    app.run(host="127.0.0.1", port=int(os.environ.get("PORT", "8000")))
