"""JavaScript syntax checked by Node: many scripts in one Node process (a ``node --check`` each
would start Node once per script).

Each script is compiled as a classic script (``vm.Script``), as a browser's ``<script>`` loads it:
V8 reports every syntax error without running anything.
"""

from __future__ import annotations

import json
import subprocess

CHECK = r"""
const vm = require('vm');
let input = '';
process.stdin.on('data', chunk => { input += chunk; });
process.stdin.on('end', () => {
  const found = {};
  for (const [name, source] of Object.entries(JSON.parse(input))) {
    try { new vm.Script(source, {filename: name}); found[name] = null; }
    catch (error) { found[name] = String(error.stack || error); }
  }
  process.stdout.write(JSON.stringify(found));
});
"""


def syntax_errors(scripts: dict[str, str]) -> dict[str, str | None]:
    """For each script (name → source), Node's syntax error with its place, or ``None`` when it compiles."""
    done = subprocess.run(
        ["node", "-e", CHECK], input=json.dumps(scripts), capture_output=True, text=True, check=True, timeout=60
    )
    found: dict[str, str | None] = json.loads(done.stdout)
    assert found.keys() == scripts.keys(), "Node did not check every script"
    return found
