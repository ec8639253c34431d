"""Every drawing of the book, one module per chapter family, all in the theme of :mod:`.theme`.

- :mod:`~cnnbook.figures.curves`: digits, class balance, training curves
- :mod:`~cnnbook.figures.diagrams`: stride, padding, filters and pooling drawn as grids
- :mod:`~cnnbook.figures.feature_maps`: feature maps, filters and the shape flow of a network
- :mod:`~cnnbook.figures.resnet`: the ResNet chapter's figures
- :mod:`~cnnbook.figures.boxes`: boxes on canvases, IoU, precision-recall, RoI pooling, speed
- :mod:`~cnnbook.figures.beyond`: "Beyond 99%": confusion matrix, accuracy against training time

A figure function returns a matplotlib Figure and computes nothing the book reports: the
numbers come from the other modules, so an edit here never retrains a model. Importing this
package applies the theme to matplotlib (sizes, fonts, colours, 2x images).
"""

from cnnbook.figures import theme

theme.use()
