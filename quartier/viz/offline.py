"""Settings that keep the Solara server and its page offline and silent.

The frontend comes from the installed `solara-assets` package (served by Solara's own asset
route from the environment's share/solara/cdn); nothing is fetched from a CDN, no telemetry
is sent, no version check runs.
"""

from __future__ import annotations

# Read by Solara's settings at import; `quartier viz` passes them to the server process.
OFFLINE_ENV = {
    "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",  # no usage reports to mixpanel
    "SOLARA_ASSETS_PROXY": "True",  # serve frontend assets from this server
    "SOLARA_ASSETS_CDN": "http://127.0.0.1:9/",  # a missing asset fails here, not online
}


def apply_offline_settings() -> None:
    """Switch off telemetry and the CDN in an already imported Solara (for `solara run`)."""
    import solara.server.settings as server_settings
    import solara.settings

    server_settings.telemetry.mixpanel_enable = False
    solara.settings.assets.proxy = True
    solara.settings.assets.cdn = OFFLINE_ENV["SOLARA_ASSETS_CDN"]
