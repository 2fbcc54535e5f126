# The Debian packages every build of racelint needs (release, the sanitizer
# and fuzz builds, the C++ fixtures), installed when missing. Sourced by
# scripts/setup.sh and scripts/fuzz.sh.
racelint_packages=(
  cmake g++ ninja-build pkg-config git ca-certificates time python3
  nodejs npm
  llvm-14-dev libclang-14-dev libclang-cpp14-dev libclang-common-14-dev clang-14
  # The fuzz run of the tests (scripts/fuzz.sh): libFuzzer and the sanitizers.
  libclang-rt-14-dev
  libpg-query-dev libprotobuf-c-dev
  nlohmann-json3-dev libyaml-cpp-dev libmimalloc-dev
  googletest libgtest-dev libgmock-dev
  # The C++ fixtures and demo compile against these libraries' real headers.
  libpqxx-dev libcpp-httplib-dev libsqlite3-dev libsqlitecpp-dev
)

# install_missing_packages LABEL: installs what of racelint_packages is not
# installed yet, saying so under LABEL.
install_missing_packages() {
  local missing=() package
  for package in "${racelint_packages[@]}"; do
    # npm may come with Node.js from elsewhere; only the commands matter then.
    if [[ $package == nodejs || $package == npm ]] && command -v "${package/nodejs/node}" >/dev/null; then
      continue
    fi
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "ok installed" || missing+=("$package")
  done
  if ((${#missing[@]})); then
    echo "$1: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}
