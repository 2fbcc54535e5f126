// RL303: a webhook handler performs effects that a redelivered event repeats,
// without first recording the event id under a unique key. Providers deliver
// at least once, and retry whenever the answer is slow or not 2xx.

#include "RuleSupport.h"

namespace racelint {
namespace {

class WebhookWithoutDeduplication : public Rule {
public:
  using Rule::Rule;

  void check(const RuleInput &input,
             std::vector<Finding> &findings) const override {
    rules::forEachUnit(input, findings, [&](const Unit &unit) {
      if (!rules::isWebhook(unit, metadata().option("signature-headers")))
        return;
      std::vector<RelatedLocation> effects;
      std::optional<EventIndex> firstEffect;
      for (EventIndex i = 0; i < unit.events.size(); ++i)
        if (auto effect =
                rules::replayEffect(input.schema, unit, unit.events[i]);
            effect && !decidedByLockedState(unit, unit.events[i])) {
          if (!firstEffect)
            firstEffect = i;
          if (std::none_of(effects.begin(), effects.end(),
                           [&](const RelatedLocation &r) {
                             return r.where == unit.events[i].where;
                           }))
            effects.push_back({unit.events[i].where, *effect});
        }
      if (!firstEffect || recordsEventId(input.schema, unit, *firstEffect))
        return;
      std::string list;
      for (std::size_t i = 0; i < effects.size(); ++i)
        list += (i ? ", " : "") + rules::link(effects[i].message, i + 1);
      std::string handler =
          unit.http ? unit.http->method + " " + unit.http->route : unit.name;
      Finding finding = makeFinding(
          unit.declared,
          "Webhook " + handler +
              " performs effects that a redelivered event "
              "repeats (" +
              list +
              ") without first recording the event id under a unique key.");
      finding.related = std::move(effects);
      findings.push_back(std::move(finding));
    });
  }

private:
  /// The effect runs only after a check of a row's state that holds a row
  /// lock until it, where the unit also moves that state on (`SELECT status
  /// ... FOR UPDATE`, return when 'completed', set 'completed'): a
  /// redelivery waits for the lock, then sees the new state and stops.
  static bool decidedByLockedState(const Unit &unit, const Event &effect) {
    return std::any_of(
        effect.guardedBy.begin(), effect.guardedBy.end(),
        [&](EventIndex index) {
          const Event &read = unit.events[index];
          if (read.kind != EventKind::Read ||
              read.lock < RowLock::NoKeyUpdate ||
              !rules::readLocksUntil(read, effect))
            return false;
          // What the code tested of it, or when unknown, what it read.
          const std::vector<std::string> &state =
              read.testedColumns ? *read.testedColumns : read.readColumns;
          return std::any_of(
              unit.events.begin(), unit.events.end(), [&](const Event &write) {
                return (write.kind == EventKind::Update ||
                        write.kind == EventKind::Upsert) &&
                       write.table == read.table &&
                       std::any_of(write.setColumns.begin(),
                                   write.setColumns.end(),
                                   [&](const SetColumn &set) {
                                     return rules::contains(state, set.column);
                                   });
              });
        });
  }

  /// An insert (or a checked upsert) of the event id under a unique key,
  /// before the first effect or in its transaction. The column is known from
  /// the event's value where the front-end follows it, else by its name.
  bool recordsEventId(const Schema &schema, const Unit &unit,
                      EventIndex firstEffect) const {
    for (EventIndex i = 0; i < unit.events.size(); ++i) {
      const Event &record = unit.events[i];
      // An insert fails on a duplicate; an upsert must also tell whether it
      // inserted (ON CONFLICT DO NOTHING with FOUND, ignoreDuplicates with
      // .select()), or a merging one succeeds on every delivery.
      if (record.kind != EventKind::Insert &&
          (record.kind != EventKind::Upsert || !record.resultChecked))
        continue;
      if (i > firstEffect &&
          !rules::sameTransaction(record, unit.events[firstEffect]))
        continue;
      const Table *table = schema.findTable(record.table);
      if (!table)
        continue;
      for (const SetColumn &set : record.setColumns) {
        bool eventId =
            rules::contains(record.eventIdColumns, set.column) ||
            rules::contains(metadata().option("event-columns"), set.column);
        const UniqueKey *key = table->uniqueKeyWithin({set.column});
        if (eventId && key && !key->partial)
          return true;
      }
    }
    return false;
  }
};

} // namespace

std::unique_ptr<Rule> createRL303(RuleMetadata metadata) {
  return std::make_unique<WebhookWithoutDeduplication>(std::move(metadata));
}

} // namespace racelint
