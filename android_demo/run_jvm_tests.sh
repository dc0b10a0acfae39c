#!/usr/bin/env bash
# Builds and tests the pure-JVM :core module without Gradle (plain javac + JUnit 4).
#
#   bash android_demo/run_jvm_tests.sh                        # compile + run all JUnit tests
#   bash android_demo/run_jvm_tests.sh --contract MANIFEST OUT [STYLE_FILE ...]
#                                   # also write the Python<->JVM contract JSON, style files imported too
#
# Needs a JDK 17+ (javac, java; run as root without one, the script apt-installs default-jdk-headless),
# JUnit 4 + Hamcrest jars and Android's org.json as a jar (Android ships it, the JVM does not). The jars
# are looked up in $JUNIT_JAR / $HAMCREST_JAR / $JSON_JAR, then /usr/share/java (Debian: apt-get install
# -y junit4 libandroid-json-java). Run as root without the jars, the script installs them with apt-get. Output classes go to android_demo/core/build-ci (gitignored);
# sources are recompiled only when something changed. Exits non-zero on any failure and ends with
# JUnit's summary line ("OK (N tests)" or "Tests run: N,  Failures: M").
set -euo pipefail

usage() {
    echo "usage: $0 [--contract MANIFEST_PATH OUT_PATH [STYLE_FILE ...]]" >&2
    exit 2
}

CONTRACT_MANIFEST=""
CONTRACT_OUT=""
CONTRACT_STYLE_FILES=()
while [ $# -gt 0 ]; do
    case "$1" in
        --contract)
            [ $# -ge 3 ] || usage
            CONTRACT_MANIFEST="$2"; CONTRACT_OUT="$3"
            shift 3
            while [ $# -gt 0 ] && [ "${1#-}" = "$1" ]; do
                CONTRACT_STYLE_FILES+=("$1")
                shift
            done
            ;;
        -h|--help)
            usage
            ;;
        *)
            echo "unknown argument: $1" >&2
            usage
            ;;
    esac
done

# Resolve contract paths against the caller's directory before changing directory.
abspath() {
    case "$1" in
        /*) printf '%s\n' "$1" ;;
        *) printf '%s/%s\n' "$PWD" "$1" ;;
    esac
}
if [ -n "$CONTRACT_MANIFEST" ]; then
    CONTRACT_MANIFEST="$(abspath "$CONTRACT_MANIFEST")"
    CONTRACT_OUT="$(abspath "$CONTRACT_OUT")"
    for i in "${!CONTRACT_STYLE_FILES[@]}"; do
        CONTRACT_STYLE_FILES[i]="$(abspath "${CONTRACT_STYLE_FILES[i]}")"
    done
    if [ ! -f "$CONTRACT_MANIFEST" ]; then
        echo "error: manifest not found: $CONTRACT_MANIFEST" >&2
        exit 2
    fi
fi

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CORE="$HERE/core"
BUILD="$CORE/build-ci"
MAIN_SRC="$CORE/src/main/java"
TEST_SRC="$CORE/src/test/java"

apt_install() {
    # Installs Debian packages when running as root with apt-get; returns non-zero otherwise.
    [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1 || return 1
    echo "Installing $* with apt-get ..." >&2
    if ! DEBIAN_FRONTEND=noninteractive apt-get install -y "$@" >/dev/null 2>&1; then
        DEBIAN_FRONTEND=noninteractive apt-get update >/dev/null 2>&1 || true
        DEBIAN_FRONTEND=noninteractive apt-get install -y "$@" >/dev/null
    fi
}

if ! command -v javac >/dev/null 2>&1 || ! command -v java >/dev/null 2>&1; then
    apt_install default-jdk-headless || true
fi
for tool in javac java; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "error: '$tool' not found; install a JDK 17+ (as root: apt-get install -y default-jdk-headless)" >&2
        exit 1
    fi
done

find_jar() {
    # $1: explicit path (may be empty), then candidate file names in /usr/share/java
    local explicit="$1"; shift
    if [ -n "$explicit" ]; then
        [ -f "$explicit" ] && { printf '%s\n' "$explicit"; return 0; }
        echo "error: $explicit does not exist" >&2
        return 1
    fi
    local name
    for name in "$@"; do
        if [ -f "/usr/share/java/$name" ]; then
            printf '%s\n' "/usr/share/java/$name"
            return 0
        fi
    done
    return 1
}

locate_jars() {
    JUNIT="$(find_jar "${JUNIT_JAR:-}" junit4.jar junit-4.13.2.jar junit.jar)" || return 1
    HAMCREST="$(find_jar "${HAMCREST_JAR:-}" hamcrest-core.jar hamcrest.jar hamcrest-all.jar)" || return 1
    JSON="$(find_jar "${JSON_JAR:-}" com.android.json.jar)" || return 1
}

if ! locate_jars; then
    if apt_install junit4 libandroid-json-java; then
        locate_jars || { echo "error: junit4 and libandroid-json-java installed but their jars were not found in /usr/share/java" >&2; exit 1; }
    else
        echo "error: jars not found. Install them (as root: apt-get install -y junit4 libandroid-json-java, which" >&2
        echo "       provide /usr/share/java/junit4.jar, hamcrest-core.jar and com.android.json.jar) or set" >&2
        echo "       JUNIT_JAR, HAMCREST_JAR and JSON_JAR." >&2
        exit 1
    fi
fi

MAIN_OUT="$BUILD/classes/main"
TEST_OUT="$BUILD/classes/test"
STAMP="$BUILD/.compiled"

# Recompile when any source (or this script) is newer than the last successful build, or files
# were added/removed (tracked through the source list).
mkdir -p "$BUILD"
SOURCES_LIST="$BUILD/sources.txt"
find "$MAIN_SRC" "$TEST_SRC" -name '*.java' | LC_ALL=C sort > "$SOURCES_LIST.new"
needs_build=1
if [ -f "$STAMP" ] && [ -f "$SOURCES_LIST" ] && cmp -s "$SOURCES_LIST" "$SOURCES_LIST.new"; then
    if [ -z "$(find "$MAIN_SRC" "$TEST_SRC" "${BASH_SOURCE[0]}" -newer "$STAMP" -print -quit)" ]; then
        needs_build=0
    fi
fi
mv "$SOURCES_LIST.new" "$SOURCES_LIST"

if [ "$needs_build" = "1" ]; then
    rm -rf "$MAIN_OUT" "$TEST_OUT" "$STAMP"
    mkdir -p "$MAIN_OUT" "$TEST_OUT"
    echo "Compiling :core main sources (javac --release 17) ..."
    find "$MAIN_SRC" -name '*.java' > "$BUILD/main-sources.txt"
    javac --release 17 -encoding UTF-8 -Xlint:all -d "$MAIN_OUT" -cp "$JSON" @"$BUILD/main-sources.txt"
    echo "Compiling :core test sources ..."
    find "$TEST_SRC" -name '*.java' > "$BUILD/test-sources.txt"
    javac --release 17 -encoding UTF-8 -d "$TEST_OUT" -cp "$MAIN_OUT:$JSON:$JUNIT:$HAMCREST" @"$BUILD/test-sources.txt"
    touch "$STAMP"
else
    echo "Compiled classes are up to date ($BUILD)."
fi

# Guard: :core must stay free of Android APIs.
if grep -rEn '^\s*import\s+(static\s+)?(android|androidx)\.' "$MAIN_SRC" "$TEST_SRC"; then
    echo "error: :core must not import android.* / androidx.* (see lines above)" >&2
    exit 1
fi

CP="$MAIN_OUT:$TEST_OUT:$JSON:$JUNIT:$HAMCREST"

status=0
if [ -n "$CONTRACT_MANIFEST" ]; then
    mkdir -p "$(dirname "$CONTRACT_OUT")"
    if ! java -cp "$MAIN_OUT:$TEST_OUT:$JSON" com.magentastyle.core.ContractMain "$CONTRACT_MANIFEST" "$CONTRACT_OUT" \
            "${CONTRACT_STYLE_FILES[@]}"; then
        echo "error: ContractMain failed for $CONTRACT_MANIFEST" >&2
        status=1
    fi
fi

# Test classes: every *Test.java under the test source root.
TEST_CLASSES=()
while IFS= read -r f; do
    rel="${f#"$TEST_SRC"/}"
    rel="${rel%.java}"
    TEST_CLASSES+=("${rel//\//.}")
done < <(find "$TEST_SRC" -name '*Test.java' | LC_ALL=C sort)

if [ "${#TEST_CLASSES[@]}" -eq 0 ]; then
    echo "error: no test classes found under $TEST_SRC" >&2
    exit 1
fi

echo "Running ${#TEST_CLASSES[@]} JUnit test classes ..."
if ! java -cp "$CP" org.junit.runner.JUnitCore "${TEST_CLASSES[@]}"; then
    status=1
fi
exit "$status"
