# Sourced by scripts/test and scripts/run: installs what building and testing The Plugs needs on a
# fresh Debian 12 machine. Idempotent: packages already there are not fetched again.

# Debian packages every build needs (rusqlite compiles its bundled SQLite with the C compiler).
PLUGS_BUILD_PACKAGES=(build-essential pkg-config libdbus-1-dev
    libwebkit2gtk-4.1-dev libgtk-3-dev libsoup-3.0-dev libjavascriptcoregtk-4.1-dev librsvg2-dev
    libayatana-appindicator3-dev libssl-dev
    libtesseract-dev libleptonica-dev libclang-dev
    tesseract-ocr-eng tesseract-ocr-fra tesseract-ocr-deu tesseract-ocr-spa)
# (Card scanning: Tesseract's library and headers, the clang its Rust binding is generated with,
# and the language data for English, French, German and Spanish.)
# What the tests run for real: a D-Bus session bus and the Secret Service keychain.
PLUGS_TEST_PACKAGES=(dbus gnome-keyring libsecret-tools xvfb xauth notification-daemon webkit2gtk-driver
    fonts-dejavu-core fonts-liberation2)
# (The fonts the scan tests print their business cards in.)

# Tesseract's OpenMP threads spin while they wait: a card's OCR is several times slower with them
# on a small machine. libgomp reads this as a program loads (see plugs_scan::single_threaded_ocr).
export OMP_THREAD_LIMIT="${OMP_THREAD_LIMIT:-1}"

plugs_apt_install() {
    local missing=()
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    echo "installing Debian packages: ${missing[*]}" >&2
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

plugs_require_cargo() {
    if ! command -v cargo >/dev/null 2>&1; then
        [ -x "$HOME/.cargo/bin/cargo" ] && export PATH="$HOME/.cargo/bin:$PATH"
    fi
    command -v cargo >/dev/null 2>&1 || { echo "cargo (Rust 1.85 or newer, from rustup) is required" >&2; exit 1; }
}

# PostgreSQL server binaries for the tests' throwaway clusters (no cluster of Debian's own is made
# or started: the tests start and remove theirs).
plugs_install_postgres() {
    ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && return 0
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo mkdir -p /etc/postgresql-common/createcluster.d
    echo "create_main_cluster = false" | $sudo tee /etc/postgresql-common/createcluster.d/plugs-no-main.conf >/dev/null
    plugs_apt_install postgresql
}

# The web UI, built into ui/dist (the desktop binary embeds it when it compiles).
plugs_build_ui() {
    command -v npm >/dev/null 2>&1 || plugs_apt_install nodejs npm
    (cd ui && npm ci --no-audit --no-fund --loglevel=error && npm run build --silent)
}

# tauri-driver, the WebDriver bridge the end-to-end tests drive the real window through.
plugs_install_tauri_driver() {
    command -v tauri-driver >/dev/null 2>&1 && return 0
    [ -x "$HOME/.cargo/bin/tauri-driver" ] && return 0
    cargo install tauri-driver --locked --quiet
}

# moto (PyPI), a real S3-protocol server the file storage tests run against, in a venv of its own.
plugs_install_moto() {
    local venv="$PWD/target/tools/moto"
    if [ ! -x "$venv/bin/moto_server" ]; then
        command -v python3 >/dev/null 2>&1 || plugs_apt_install python3
        python3 -m venv "$venv" 2>/dev/null || { plugs_apt_install python3-venv && python3 -m venv "$venv"; }
        "$venv/bin/pip" install --quiet --disable-pip-version-check 'moto[server]==5.2.5'
    fi
    export PLUGS_MOTO_SERVER="$venv/bin/moto_server"
}

# schemathesis (PyPI), the schema-driven fuzzer the server's OpenAPI test runs, in a venv of its own.
plugs_install_schemathesis() {
    local venv="$PWD/target/tools/schemathesis"
    if [ ! -x "$venv/bin/st" ]; then
        command -v python3 >/dev/null 2>&1 || plugs_apt_install python3
        python3 -m venv "$venv" 2>/dev/null || { plugs_apt_install python3-venv && python3 -m venv "$venv"; }
        "$venv/bin/pip" install --quiet --disable-pip-version-check schemathesis==4.32.5
    fi
    export PLUGS_SCHEMATHESIS="$venv/bin/st"
}
