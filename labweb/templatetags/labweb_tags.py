from django import template

from labweb.markdown import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text: str):
    """Render Markdown written by users, sanitised (see labweb.markdown)."""
    return render_markdown(text)
