#pragma once

// PageTemplate: one of the pages in resources/web, with `{{name}}` holes that
// a handler fills. The text is split once, when the template is made, so
// filling it is appends only. Values are inserted as given: escape what is
// not markup with htmlEscape() first.
//
// Immutable once made: any thread.

#include <string>
#include <string_view>
#include <vector>

namespace ferry {

class PageTemplate final {
 public:
  // `text` must outlive the template (a webAsset() does).
  explicit PageTemplate(std::string_view text);

  // The names of the holes, in order of first appearance.
  std::vector<std::string_view> holes() const;

  // Appends the page to `out`, each hole replaced by `value(name)` (a
  // callable taking the name, appending to `out` itself).
  template <typename Fill>
  void render(std::string& out, Fill&& fill) const {
    for (const Part& p : parts_) {
      if (p.hole)
        fill(p.text, out);
      else
        out.append(p.text);
    }
  }

 private:
  struct Part {
    std::string_view text;  // literal text, or the hole's name
    bool hole = false;
  };
  std::vector<Part> parts_;
};

// Appends `s` to `out` with &, <, >, " and ' written as references, so a
// name can be neither markup nor leave an attribute. Bytes that are not
// UTF-8 become U+FFFD, so a browser never guesses another encoding.
void htmlEscape(std::string_view s, std::string& out);

}  // namespace ferry
