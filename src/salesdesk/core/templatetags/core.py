from django import template
from django.urls import get_script_prefix, get_urlconf
from django.utils.translation import get_language

from salesdesk.core.money import to_money

register = template.Library()


@register.simple_tag(takes_context=True)
def query_replace(context, **kwargs):
    """The current query string with some parameters replaced (for paging and sorting links)."""
    query = context["request"].GET.copy()
    for key, value in kwargs.items():
        if value is None or value == "":
            query.pop(key, None)
        else:
            query[key] = value
    return query.urlencode()


@register.filter
def yuan(value):
    """Money as a Chinese office writes it: ¥1,234.50."""
    if value is None or value == "":
        return ""
    amount = to_money(value)
    return f"-¥{-amount:,}" if amount < 0 else f"¥{amount:,}"


@register.filter
def thousands(value):
    """A whole number grouped by thousands, 10,000, in both languages (Django's zh-hans format
    does not group)."""
    if value is None or value == "":
        return ""
    return f"{int(value):,}"


_FRAGMENTS: dict = {}
_FRAGMENTS_MAX = 512


class FragmentNode(template.Node):
    def __init__(self, nodelist, name: str, keys: list):
        self.nodelist, self.name, self.keys = nodelist, name, keys

    def render(self, context):
        key = (
            self.name,
            get_language(),
            get_script_prefix(),
            get_urlconf(),
            *(k.resolve(context) for k in self.keys),
        )
        html = _FRAGMENTS.get(key)
        if html is None:
            html = self.nodelist.render(context)
            if len(_FRAGMENTS) < _FRAGMENTS_MAX:
                _FRAGMENTS[key] = html
        return html


@register.tag
def fragment(parser, token):
    """`{% fragment "name" key1 key2 … %}…{% endfragment %}`: the enclosed markup rendered once
    per process for each language and value of the keys, then reused. Only for markup that
    depends on nothing but those keys (no user data, no CSRF token, no request path): the
    header's menu rendered ~40 `{% url %}` and ~45 `{% translate %}` on every page."""
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("{% fragment %} needs a name")
    nodelist = parser.parse(("endfragment",))
    parser.delete_first_token()
    return FragmentNode(nodelist, bits[1], [parser.compile_filter(b) for b in bits[2:]])
