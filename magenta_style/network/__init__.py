"""The network: the style embedding's layout, the Keras layers, the
transformer T(content, embedding) and the saved StylizationModel."""
