// The details of the selected story beside the list: headline, summary, every symbol, the
// source and the other sources that carried it, published and received times, latency, and a
// button that opens the link in the browser.
#pragma once

#include "newsitem.h"

#include <QWidget>

class QLabel;
class QPushButton;
class QStackedWidget;

namespace tw::ui {

class DetailsPane : public QWidget {
    Q_OBJECT
public:
    explicit DetailsPane(QWidget *parent = nullptr);
    ~DetailsPane() override;

    // Shows `item`; latencyMs < 0: not known.
    void setItem(const core::NewsItem &item, qint64 latencyMs = -1);
    void clear();

    bool hasItem() const { return m_hasItem; }
    const core::NewsItem &item() const { return m_item; }
    QString headlineText() const;

Q_SIGNALS:
    void openRequested(const QUrl &url);

private:
    QStackedWidget *m_stack = nullptr;
    QLabel *m_headline = nullptr;
    QLabel *m_meta = nullptr;
    QLabel *m_symbols = nullptr;
    QLabel *m_summary = nullptr;
    QLabel *m_sources = nullptr;
    QLabel *m_times = nullptr;
    QPushButton *m_open = nullptr;
    core::NewsItem m_item;
    bool m_hasItem = false;
};

} // namespace tw::ui
