"""A real headless browser for the tests: Debian's chromium, driven over the DevTools protocol.

``Browser.open(path)`` loads a page from disk and records what a person's
browser would do with it: every request it makes (``Network``), every console
message and uncaught exception (``Runtime``, ``Log``), every dialog a script
opens (``Page``). ``.ci/run`` installs chromium where it is missing.
"""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import websocket

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@dataclass
class Visit:
    """What loading a page did."""

    requests: list[str] = field(default_factory=list)  # every URL it asked for
    errors: list[str] = field(default_factory=list)  # console errors, exceptions, failed loads
    dialogs: list[str] = field(default_factory=list)  # alert(), confirm(), ...


class Browser:
    def __init__(self, timeout: float = 60.0):
        if not CHROMIUM:
            raise RuntimeError("chromium is not installed (apt-get install chromium; .ci/run does)")
        self.timeout = timeout
        self.profile = Path(tempfile.mkdtemp(prefix="grader-chromium-"))
        self.process = subprocess.Popen(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--no-default-browser-check", "--disable-extensions", "--disable-sync",
             "--disable-background-networking", "--disable-component-update",
             "--remote-debugging-port=0", f"--user-data-dir={self.profile}",
             "--window-size=1200,900", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.socket = websocket.create_connection(self._page_socket(), timeout=timeout)
        self.next_id = 0
        self.events: list[dict] = []

    def _page_socket(self) -> str:
        port_file, deadline = self.profile / "DevToolsActivePort", time.monotonic() + self.timeout
        while not port_file.exists() or not port_file.read_text().strip():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("chromium did not start")
            time.sleep(0.1)
        port = port_file.read_text().split()[0]
        while True:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as answer:
                pages = [t for t in json.load(answer) if t.get("type") == "page"]
            if pages:
                return pages[0]["webSocketDebuggerUrl"]
            if time.monotonic() > deadline:
                raise RuntimeError("chromium opened no page")
            time.sleep(0.1)

    def send(self, method: str, **params) -> dict:
        self.next_id += 1
        self.socket.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.socket.recv())
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
            self.events.append(message)

    def wait_for(self, method: str) -> dict:
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            for event in self.events:
                if event.get("method") == method:
                    self.events.remove(event)
                    return event
            self.events.append(json.loads(self.socket.recv()))
        raise TimeoutError(method)

    def open(self, path: Path) -> Visit:
        """Load ``path`` and let it settle; what it did is in the returned Visit."""
        for domain in ("Network", "Runtime", "Log", "Page"):
            self.send(f"{domain}.enable")
        self.events.clear()
        self.send("Page.navigate", url=Path(path).resolve().as_uri())
        self.wait_for("Page.loadEventFired")
        self.evaluate("new Promise(done => setTimeout(done, 300))")  # late requests, if any
        return self.visit()

    def visit(self) -> Visit:
        seen = Visit()
        for event in self.events:
            method, params = event.get("method"), event.get("params", {})
            if method == "Network.requestWillBeSent":
                seen.requests.append(params["request"]["url"])
            elif method == "Network.loadingFailed":
                seen.errors.append(f"failed to load: {params.get('errorText')}")
            elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
                seen.errors.append(" ".join(str(a.get("value", a.get("description")))
                                            for a in params.get("args", [])))
            elif method == "Runtime.exceptionThrown":
                seen.errors.append(params["exceptionDetails"].get("text", "exception"))
            elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
                seen.errors.append(params["entry"].get("text", ""))
            elif method == "Page.javascriptDialogOpening":
                seen.dialogs.append(params.get("message", ""))
        return seen

    def evaluate(self, expression: str):
        answer = self.send("Runtime.evaluate", expression=expression, awaitPromise=True,
                           returnByValue=True)
        if "exceptionDetails" in answer:
            raise RuntimeError(answer["exceptionDetails"].get("text"))
        return answer.get("result", {}).get("value")

    def screenshot(self, path: Path, width: int = 1200, height: int = 2400) -> None:
        """The top of the page as a PNG, as wide as a laptop's window."""
        self.send("Emulation.setDeviceMetricsOverride", width=width, height=height,
                  deviceScaleFactor=1, mobile=False)
        shot = self.send("Page.captureScreenshot", format="png")
        Path(path).write_bytes(base64.b64decode(shot["data"]))

    def close(self) -> None:
        try:
            self.socket.close()
        finally:
            self.process.kill()
            self.process.wait()
            shutil.rmtree(self.profile, ignore_errors=True)
