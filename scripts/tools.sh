#!/usr/bin/env bash
# The system tools the chapters use beyond a JDK and Python, from Debian/Ubuntu's packages.
# A chapter runs without them: each cell that needs a missing one says so in one line and shows the recorded run.
#   sudo scripts/tools.sh            install what is missing (apt-get)
#   scripts/tools.sh --list          print what is missing, install nothing
# .ci/run sources this file and calls serverlab_install_tools.

# package  command-or-file-that-shows-it-is-installed  chapter(s) that use it
SERVERLAB_TOOLS=(
  "wrk                   wrk                          01 04 and bench: wrk beside the load generator"
  "nginx-light           /usr/sbin/nginx              05 07: real nginx beside nginx-style; the load balancer"
  "apache2-utils         ab                           tests: ab as a real client"
  "curl                  curl                         tests: curl as a real client"
  "iproute2              ip                           06: network namespaces and veth pairs"
  "chromium              /usr/bin/chromium            tests: JupyterLab in a real browser"
  "gcc                   gcc                          06: the native build of the emulated program"
  "libc6-dev             /usr/lib/x86_64-linux-gnu/libc.a 06: static linking of that build"
  "gcc-aarch64-linux-gnu aarch64-linux-gnu-gcc        06: the aarch64 build of the emulated program"
  "qemu-user             qemu-aarch64                 06: running the aarch64 build on this CPU"
  "qemu-system-x86       qemu-system-x86_64           06: a whole virtual machine"
  "busybox-static        /bin/busybox                 06: the guest's userland"
  "cpio                  cpio                         tests: reading back the guest's initramfs"
  "linux-image-cloud-amd64 /boot/vmlinuz-*-cloud-amd64 06: the guest's kernel"
  "postgresql            /usr/lib/postgresql/*/bin/initdb 07: the data tier (H2 otherwise)"
  "podman                podman                       06: a real container engine"
  "runc                  runc                         06: podman's OCI runtime (crun refuses this kind of cgroup setup)"
  "procps                ps                           06: ps inside the namespaces sandbox"
  "jupyterhub            jupyterhub                   deploy: JupyterHub for a class (pulls node-configurable-http-proxy)"
  "python3-sphinx        sphinx-build                 handouts: Sphinx builds the book sites"
  "python3-nbsphinx      /usr/lib/python3/dist-packages/nbsphinx.py handouts: the chapters as book pages"
  "python3-sphinx-book-theme /usr/lib/python3/dist-packages/sphinx_book_theme handouts: the books' theme (Jupyter Book's)"
  "pandoc                pandoc                       handouts: nbsphinx converts the chapters' markdown with it"
  "libjs-mathjax         /usr/share/javascript/mathjax/MathJax.js handouts: MathJax for a book page with math"
)

# Prints the packages whose marker command/file is missing.
serverlab_missing_tools() {
  local line package marker
  for line in "${SERVERLAB_TOOLS[@]}"; do
    read -r package marker _ <<<"$line"
    if [[ "$marker" == /* ]]; then
      compgen -G "$marker" >/dev/null || echo "$package"
    else
      command -v "$marker" >/dev/null || echo "$package"
    fi
  done
}

# Installs the missing packages with apt-get when root; otherwise says what to run. Never fails the caller.
serverlab_install_tools() {
  local missing
  mapfile -t missing < <(serverlab_missing_tools)
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" != 0 ]; then
    echo "tools: not root, cannot install ${missing[*]} (run: sudo scripts/tools.sh); the chapters show recorded results instead"
    return 0
  fi
  echo "tools: apt-get install ${missing[*]}"
  { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null; } \
    || echo "tools: warning: apt-get could not install ${missing[*]}; the cells that need them will say so"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  case "${1:-}" in
    --list) serverlab_missing_tools ;;
    "") serverlab_install_tools ;;
    *) sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
  esac
fi
