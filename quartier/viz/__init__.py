"""The browser app (Mesa SolaraViz) for exploring the model live."""
