#!/usr/bin/env python3
"""Monitoring files against a real Prometheus (issue 14).

Starts `relay demo` (relay-app/target/relay-demo.jar) and a Prometheus scraping it every second
with config/prometheus-alerts.yml loaded, then asserts that every query of the Grafana dashboard
returns data, that every metric an alert reads exists, that every alert rule evaluates without
error, and that RelayDeadLetters fires for the demo's refused events. Python standard library
only; needs `prometheus` on the PATH. Exits non-zero with the failing queries listed.
"""
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEMO_JAR = os.path.join(ROOT, "relay-app", "target", "relay-demo.jar")
DASHBOARD = os.path.join(ROOT, "config", "grafana", "dashboards", "relay.json")
ALERTS = os.path.join(ROOT, "config", "prometheus-alerts.yml")
# What Grafana would put for $__rate_interval at a 1 s scrape: wide enough for several samples.
RATE_INTERVAL = "15s"
# From Prometheus start until every check must have passed.
DEADLINE_SECONDS = 90
# Names PromQL uses that are not metrics.
NOT_METRICS = {"by", "without", "and", "or", "unless", "on", "ignoring", "group_left", "group_right", "bool",
               "offset", "le", "sum", "max", "min", "avg", "count", "rate", "increase", "deriv",
               "histogram_quantile", "humanizeDuration", "humanizePercentage", "vector", "job", "relay",
               "instance", "endpoint", "state", "outcome", "area", "heap"}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def query(prometheus, expr):
    url = prometheus + "/api/v1/query?" + urllib.parse.urlencode({"query": expr})
    with urllib.request.urlopen(url, timeout=5) as r:
        body = json.load(r)
    if body.get("status") != "success":
        raise RuntimeError("%s: %s" % (expr, body))
    return body["data"]["result"]


def get(prometheus, path):
    with urllib.request.urlopen(prometheus + path, timeout=5) as r:
        return json.load(r)["data"]


def dashboard_queries():
    with open(DASHBOARD) as f:
        dashboard = json.load(f)
    out = []
    for panel in dashboard["panels"]:
        for target in panel.get("targets", []):
            expr = target.get("expr")
            if expr:
                out.append((panel.get("title", "?"), expr.replace("$__rate_interval", RATE_INTERVAL)
                            .replace("$__interval", RATE_INTERVAL).replace("$__range", "1h")))
    return out


def alert_metrics():
    """The metric names each alert reads, from the expressions in prometheus-alerts.yml."""
    names = set()
    with open(ALERTS) as f:
        text = f.read()
    for block in re.findall(r"expr: \|\n((?:\s{10,}.*\n)+)|expr: (.*)", text):
        expr = block[0] or block[1]
        expr = re.sub(r'\{[^}]*\}', "", expr)   # label matchers
        expr = re.sub(r"\[[^\]]*\]", "", expr)   # ranges
        for token in re.findall(r"[a-zA-Z_:][a-zA-Z0-9_:]*", expr):
            if token not in NOT_METRICS and not token.isdigit():
                names.add(token)
    return sorted(names)


def main():
    for tool in ("prometheus", "java"):
        if shutil.which(tool) is None:
            sys.exit("monitoring smoke: %s is not on the PATH" % tool)
    if not os.path.isfile(DEMO_JAR):
        sys.exit("monitoring smoke: %s is missing; build it with ./mvnw package" % DEMO_JAR)
    work = tempfile.mkdtemp(prefix="relay-monitoring-")
    processes = []
    started = time.monotonic()
    try:
        demo_log = open(os.path.join(work, "demo.log"), "w+")
        demo = subprocess.Popen(["java", "-Xmx256m", "-jar", DEMO_JAR, "demo", "--port", "0", "--rate", "10",
                                 "--duration", "PT%dS" % (DEADLINE_SECONDS + 120)],
                                stdout=demo_log, stderr=subprocess.STDOUT)
        processes.append(demo)
        metrics = None
        while metrics is None:
            if demo.poll() is not None or time.monotonic() - started > 90:
                demo_log.seek(0)
                sys.exit("monitoring smoke: the demo did not start:\n" + demo_log.read()[-3000:])
            time.sleep(0.5)
            demo_log.seek(0)
            m = re.search(r"Metrics\s+http://([0-9.]+:\d+)/metrics", demo_log.read())
            metrics = m.group(1) if m else None
        print("demo up after %.0f s, metrics on %s" % (time.monotonic() - started, metrics))

        port = free_port()
        config = os.path.join(work, "prometheus.yml")
        with open(config, "w") as f:
            f.write("""global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files:
  - %s
scrape_configs:
  - job_name: relay
    static_configs:
      - targets: ["%s"]
""" % (ALERTS, metrics))
        prometheus = "http://127.0.0.1:%d" % port
        prom = subprocess.Popen(["prometheus", "--config.file=" + config, "--storage.tsdb.path=" + work + "/data",
                                 "--web.listen-address=127.0.0.1:%d" % port, "--log.level=warn"],
                                stdout=open(os.path.join(work, "prometheus.log"), "w"), stderr=subprocess.STDOUT)
        processes.append(prom)

        queries = dashboard_queries()
        metric_names = alert_metrics()
        empty, missing, unhealthy, dead_letters_firing = queries, metric_names, ["(rules not loaded)"], False
        checks_started = time.monotonic()
        rules = []
        while time.monotonic() - checks_started < DEADLINE_SECONDS:
            time.sleep(2)
            if prom.poll() is not None or demo.poll() is not None:
                sys.exit("monitoring smoke: prometheus or the demo exited; see " + work)
            try:
                empty = [(title, expr) for title, expr in queries if not query(prometheus, expr)]
                present = set(get(prometheus, "/api/v1/label/__name__/values"))
                missing = [n for n in metric_names if n not in present]
                groups = get(prometheus, "/api/v1/rules")["groups"]
                rules = [r for g in groups for r in g["rules"]]
                unhealthy = [r["name"] + ": " + r.get("lastError", "") for r in rules if r.get("health") != "ok"]
                if len(rules) == 0:
                    unhealthy = ["(rules not loaded)"]
                dead_letters_firing = any(r["name"] == "RelayDeadLetters" and r.get("state") == "firing" for r in rules)
            except OSError:
                continue  # prometheus still starting
            if not empty and not missing and not unhealthy and dead_letters_firing:
                break
        print("%d dashboard queries, %d alert metrics (%s), %d rules checked in %.0f s" % (
            len(queries), len(metric_names), ", ".join(metric_names), len(rules), time.monotonic() - started))
        problems = ["dashboard query returned no data: [%s] %s" % q for q in empty]
        problems += ["alert reads a metric that does not exist: " + n for n in missing]
        problems += ["alert rule did not evaluate: " + u for u in unhealthy]
        if not dead_letters_firing:
            problems.append("RelayDeadLetters did not fire although the demo makes dead letters")
        if problems:
            print("\n".join(problems))
            sys.exit("monitoring smoke: FAILED (logs in %s)" % work)
        print("monitoring smoke: passed")
    finally:
        for p in processes:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in processes:
            try:
                p.wait(30)
            except subprocess.TimeoutExpired:
                p.kill()
        if os.environ.get("KEEP_MONITORING_LOGS") is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
