"""The bare Flask endpoint every scenario is compared with, served the same way
(`gunicorn bench.bare:app`, same workers, same wrk settings, same run)."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    return "Hello, World!"
