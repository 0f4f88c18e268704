#!/usr/bin/env bash
# Extract every user-visible string into sim/locale/orgsim.pot (Babel, babel.cfg), merge
# it into the Swedish and Norwegian bokmål catalogues (new strings come in untranslated,
# changed ones fuzzy: translate them, then run this again), and compile the .mo files the
# package reads. The .mo files are committed, so an editable install and CI need no step.
# tests/test_i18n.py fails when the committed catalogues lag behind the code.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python}
KEYWORDS=(-k "n_:1,2" -k "p_:1c,2" -k "N_" -k "NP_:1c,2")
"$PY" -m babel.messages.frontend -q extract -F babel.cfg "${KEYWORDS[@]}" \
    --add-comments=TRANSLATORS: --sort-by-file --no-wrap --project=orgsim \
    --copyright-holder="orgsim authors" --msgid-bugs-address="" \
    --omit-header -o sim/locale/orgsim.pot .
# Strings of a branch not merged yet (sim/locale/pending.pot: the classroom page's texts,
# translated ahead of its merge); delete the file once that code is in this tree.
if [ -f sim/locale/pending.pot ]; then
    "$PY" -m sim.i18n_tools add-pending sim/locale/orgsim.pot sim/locale/pending.pot
fi
for lang in sv nb; do
    po=sim/locale/$lang/LC_MESSAGES/orgsim.po
    if [ -f "$po" ]; then
        "$PY" -m babel.messages.frontend -q update -D orgsim -i sim/locale/orgsim.pot \
            -d sim/locale -l "$lang" --no-wrap --ignore-obsolete
    else
        "$PY" -m babel.messages.frontend -q init -D orgsim -i sim/locale/orgsim.pot \
            -d sim/locale -l "$lang" --no-wrap
    fi
done
# Compile (after checking every message is translated, none fuzzy, placeholders kept):
# sim/i18n_tools.py, as Babel's own compile takes a literal "% of" for a printf placeholder.
"$PY" -m sim.i18n_tools compile sim/locale/{sv,nb}/LC_MESSAGES/orgsim.po
