// The search page's result line in Chinese. Sphinx's zh_CN catalogue holds it under an older key
// ("… page(s) …"), while its search script asks by the singular and plural forms, so without
// these the line would read in English. ngettext picks [0]: Chinese has one plural form.
Documentation.addTranslations({
  locale: "zh_Hans_CN",
  plural_expr: "0",
  messages: {
    "Search finished, found one page matching the search query.": ["搜索完成，找到 ${resultCount} 个页面。"],
    "Search finished, found ${resultCount} pages matching the search query.": ["搜索完成，找到 ${resultCount} 个页面。"],
  },
});
