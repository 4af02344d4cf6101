"""Settings that keep the Solara server and its page offline and silent.

The frontend comes from the installed `solara-assets` package (served by Solara's own asset
route from the environment's share/solara/cdn); nothing is fetched from a CDN, no telemetry
is sent, no version check runs. Those files fit only the Solara release they were built
with, so pyproject.toml pins solara, solara-server, solara-ui and solara-assets to one
release, and `frontend_mismatch` says when an environment holds another mix.
"""

from __future__ import annotations

import warnings
from importlib.metadata import PackageNotFoundError, version

# Read by Solara's settings at import; `quartier viz` passes them to the server process.
OFFLINE_ENV = {
    "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",  # no usage reports to mixpanel
    "SOLARA_ASSETS_PROXY": "True",  # serve frontend assets from this server
    "SOLARA_ASSETS_CDN": "http://127.0.0.1:9/",  # a missing asset fails here, not online
}
# One Solara release: the server and widgets, and the frontend files they ask for.
SOLARA_PACKAGES = ("solara", "solara-server", "solara-ui", "solara-assets")


def apply_offline_settings() -> None:
    """Switch off telemetry and the CDN in an already imported Solara (for `solara run`)."""
    import solara.server.settings as server_settings
    import solara.settings

    server_settings.telemetry.mixpanel_enable = False
    solara.settings.assets.proxy = True
    solara.settings.assets.cdn = OFFLINE_ENV["SOLARA_ASSETS_CDN"]
    # Served over plain http on 127.0.0.1, the session cookie is SameSite=Lax, as it should
    # be; Solara explains at length how to embed the app in another site's frame.
    warnings.filterwarnings("ignore", "Cookies with samesite=none require https", UserWarning)


def solara_versions() -> dict[str, str]:
    """The installed version of each Solara package ("missing" where there is none)."""
    found = {}
    for name in SOLARA_PACKAGES:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = "missing"
    return found


def frontend_mismatch(versions: dict[str, str] | None = None) -> str | None:
    """A warning when the Solara packages are not one release (the page may then ask for
    files that no package holds), else None."""
    versions = solara_versions() if versions is None else versions
    if len(set(versions.values())) == 1:
        return None
    listed = ", ".join(f"{name} {number}" for name, number in versions.items())
    return (
        f"Solara's packages are not one release ({listed}), so the page may ask for files "
        "this installation lacks; `pip install -e .` installs the versions Quartier pins"
    )
