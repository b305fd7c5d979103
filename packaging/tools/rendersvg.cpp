// rendersvg: renders an SVG into a square PNG of the given size. Runs at build time to make
// the 48/128/256 px hicolor icons from the one scalable icon, so the PNGs are never stored in
// git and never drift from the SVG (and the build needs no rsvg-convert).
//
//   rendersvg INPUT.svg SIZE OUTPUT.png
#include <QGuiApplication>
#include <QImage>
#include <QPainter>
#include <QSvgRenderer>

#include <cstdio>

int main(int argc, char *argv[])
{
    // Rendering into a QImage needs no window system: the offscreen platform is enough, and
    // it keeps the build working on machines without a display.
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", QByteArrayLiteral("offscreen"));
    QGuiApplication app(argc, argv);
    const QStringList args = QCoreApplication::arguments();
    if (args.size() != 4) {
        std::fprintf(stderr, "usage: rendersvg INPUT.svg SIZE OUTPUT.png\n");
        return 2;
    }
    bool ok = false;
    const int size = args.at(2).toInt(&ok);
    if (!ok || size <= 0 || size > 4096) {
        std::fprintf(stderr, "rendersvg: bad size \"%s\"\n", qPrintable(args.at(2)));
        return 2;
    }
    QSvgRenderer renderer(args.at(1));
    if (!renderer.isValid()) {
        std::fprintf(stderr, "rendersvg: cannot read SVG \"%s\"\n", qPrintable(args.at(1)));
        return 1;
    }
    QImage image(size, size, QImage::Format_ARGB32_Premultiplied);
    image.fill(Qt::transparent);
    {
        QPainter painter(&image);
        painter.setRenderHint(QPainter::Antialiasing);
        painter.setRenderHint(QPainter::SmoothPixmapTransform);
        renderer.render(&painter);
    }
    if (!image.save(args.at(3), "PNG")) {
        std::fprintf(stderr, "rendersvg: cannot write \"%s\"\n", qPrintable(args.at(3)));
        return 1;
    }
    return 0;
}
