#!/bin/sh
# The GUI smoke test: forklab-gui renders two programs at two moments each under Xvfb (and the
# scenario browser, the task inspector, a selection, the file chooser and a metadata error once
# each), and gui_png_check confirms every picture has something in it, that different moments
# look different, and that the same moment rendered twice is the same picture.
# Usage: gui_smoke.sh FORKLAB_GUI GUI_PNG_CHECK PROGRAMS_DIR OUT_DIR
# Exit 77 (ctest: skipped, never passed) when xvfb-run is not installed.
set -eu
gui=$1 check=$2 programs=$3 out=$4

if ! command -v xvfb-run >/dev/null 2>&1; then
  echo "gui smoke test skipped: xvfb-run is not installed (Debian: xvfb)"
  exit 77
fi
rm -rf "$out"
mkdir -p "$out"

render() {  # render FILE WHERE OUT.png
  xvfb-run -a -s '-screen 0 1280x720x24' "$gui" "$1" $2 --size 1280x720 --screenshot "$3"
}

render "$programs/fork_fork_hello.c" "--at 2" "$out/hello_2.png"
render "$programs/fork_fork_hello.c" "--at-end" "$out/hello_end.png"
render "$programs/fork_fork_hello.c" "--at 2" "$out/hello_2_again.png"
render "$programs/cow_split.c" "--at 3" "$out/cow_3.png"
render "$programs/cow_split.c" "--at-end" "$out/cow_end.png"
render "$programs/cow_split.c" "--at 6" "$out/cow_6.png"
render "$programs/cow_split.c" "--at 6 --inspect 3" "$out/cow_inspect.png"
render "$programs/cow_split.c" "--at 6 --scenarios" "$out/cow_scenarios.png"
render "$programs/cow_split.c" "--at 6 --select 3" "$out/cow_select.png"
render "$programs/cow_split.c" "--at 6 --choose-file" "$out/cow_chooser.png"
render "$programs/cow_split.c" "--at 6 --compare" "$out/cow_compare.png"
render "$programs/cow_split.c" "--at 6 --anim-phase 0.5" "$out/cow_anim.png"
render "$programs/racy_outcomes.c" "--outcomes" "$out/racy_outcomes.png"
render "$programs/racy_outcomes.c" "--outcomes --schedule 2,3,2,2,3,2" "$out/racy_outcomes_other.png"
printf '//! title: a typo\n//! summry: misspelt\nint main(void) { return 0; }\n' >"$out/typo.c"
render "$out/typo.c" "" "$out/typo.png"
# No FILE: the browser opens with the first scenario.
xvfb-run -a -s '-screen 0 1280x720x24' "$gui" --size 1280x720 --screenshot "$out/browser.png"

for png in "$out"/*.png; do
  "$check" blank "$png"
done
"$check" differ "$out/hello_2.png" "$out/hello_end.png"
"$check" differ "$out/cow_3.png" "$out/cow_end.png"
"$check" differ "$out/hello_2.png" "$out/cow_3.png"
"$check" same "$out/hello_2.png" "$out/hello_2_again.png"
"$check" differ "$out/cow_inspect.png" "$out/cow_6.png"
"$check" differ "$out/cow_scenarios.png" "$out/cow_6.png"
"$check" differ "$out/cow_select.png" "$out/cow_6.png"
"$check" differ "$out/cow_chooser.png" "$out/cow_6.png"
"$check" differ "$out/cow_compare.png" "$out/cow_6.png"
"$check" differ "$out/cow_anim.png" "$out/cow_6.png"
"$check" differ "$out/racy_outcomes.png" "$out/racy_outcomes_other.png"
"$check" differ "$out/typo.png" "$out/browser.png"

# No display: a clear message naming xvfb-run, and exit status 2.
status=0
env -u DISPLAY -u WAYLAND_DISPLAY "$gui" "$programs/fork_fork_hello.c" 2>"$out/no_display.txt" || status=$?
[ "$status" -eq 2 ] || { echo "without a display forklab-gui exited $status, not 2"; exit 1; }
grep -q 'xvfb-run' "$out/no_display.txt" || { echo "the no-display message does not name xvfb-run"; exit 1; }
echo "gui smoke test passed"
