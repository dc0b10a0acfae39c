package com.magentastyle.demo

import android.content.Context
import android.graphics.Bitmap
import android.graphics.Canvas
import android.graphics.Color
import android.graphics.Paint
import android.net.Uri
import android.util.Log
import com.magentastyle.core.Manifest
import com.magentastyle.core.Style
import com.magentastyle.core.StyleFile
import com.magentastyle.core.Text
import java.io.File
import java.io.FileNotFoundException
import java.io.IOException
import java.util.UUID

/**
 * A style shown in the strip: built-in (from styles.json), imported (a .style.json in the app files
 * dir) or predicted from a photo (kept for the session only).
 */
class StyleEntry(
    /** Stable id: "builtin:<index>", "imported:<file name>" or "photo:<number>". */
    val id: String,
    val style: Style,
    val thumbnail: Bitmap,
    /** The stored file of an imported style, null for the others. */
    val file: File?,
) {
    val imported: Boolean get() = file != null
}

/** Loads the manifest and thumbnails from the assets, and keeps imported styles in the app's files dir. */
class StyleRepository(private val context: Context) {

    private val importedDir = File(context.filesDir, "styles")

    class Loaded(val entries: List<StyleEntry>, val skippedImports: Int)

    /** Reads styles.json from the assets; [FileNotFoundException] if the model was not exported into them. */
    fun loadManifest(): Manifest = context.assets.open(MANIFEST_ASSET).use { Manifest.parse(it) }

    /** Built-in styles followed by imported ones (oldest first); imported files that no longer fit are skipped. */
    fun loadAll(manifest: Manifest): Loaded {
        val entries = manifest.styles().mapIndexed { i, style ->
            StyleEntry("builtin:$i", style, builtinThumbnail(style), null)
        }.toMutableList()
        var skipped = 0
        val files = importedDir.listFiles().orEmpty()
            .filter { it.isFile && it.name.endsWith(STYLE_SUFFIX) }
            .sortedWith(compareBy<File> { it.lastModified() }.thenBy { it.name })
        for (file in files) {
            try {
                val style = file.inputStream().use { StyleFile.parse(it, manifest.network()) }
                entries += importedEntry(file, style)
            } catch (e: Exception) {
                Log.w(TAG, "skipping imported style ${file.name}: ${e.message}")
                skipped++
            }
        }
        return Loaded(entries, skipped)
    }

    /**
     * Validates a style file picked by the user against the model and stores a copy.
     *
     * @throws com.magentastyle.core.StyleFileException with a readable message if it does not fit
     */
    fun importStyle(uri: Uri, manifest: Manifest): StyleEntry {
        val text = (context.contentResolver.openInputStream(uri) ?: throw FileNotFoundException("cannot open $uri"))
            .use { Text.readUtf8(it, Text.MAX_STYLE_FILE_BYTES) }
        val style = StyleFile.parse(text, manifest.network())
        if (!importedDir.isDirectory && !importedDir.mkdirs()) {
            throw IOException("cannot create $importedDir")
        }
        val target = File(importedDir, "${UUID.randomUUID()}$STYLE_SUFFIX")
        val temp = File(importedDir, "${target.name}.tmp")
        temp.writeText(text, Charsets.UTF_8)
        if (!temp.renameTo(target)) {
            temp.delete()
            throw IOException("cannot store the style in $importedDir")
        }
        return importedEntry(target, style)
    }

    /** Deletes the stored file of an imported style. */
    fun delete(entry: StyleEntry) {
        val file = entry.file ?: return
        if (file.exists() && !file.delete()) {
            throw IOException("cannot delete ${file.name}")
        }
    }

    /** The style predicted from [picture], which its thumbnail shows as the predictor saw it; not stored. */
    fun photoEntry(number: Int, name: String, embedding: FloatArray, picture: Bitmap) =
        StyleEntry("photo:$number", Style(name, embedding, null, null), ImageIo.centerSquare(picture, THUMBNAIL_SIDE), null)

    private fun importedEntry(file: File, style: Style) =
        StyleEntry("imported:${file.name}", style, placeholderThumbnail(style.name()), file)

    private fun builtinThumbnail(style: Style): Bitmap {
        val path = style.thumbnail()
        if (path != null) {
            try {
                val bytes = context.assets.open(path).use { it.readBytes() }
                ImageIo.decodeThumbnail(bytes, THUMBNAIL_SIDE)?.let { return it }
            } catch (e: IOException) {
                Log.w(TAG, "thumbnail $path not found in assets", e)
            }
        }
        return placeholderThumbnail(style.name())
    }

    /** A coloured square with the style's initials, for styles without a thumbnail image. */
    private fun placeholderThumbnail(name: String): Bitmap {
        val bitmap = Bitmap.createBitmap(THUMBNAIL_SIDE, THUMBNAIL_SIDE, Bitmap.Config.ARGB_8888)
        val canvas = Canvas(bitmap)
        val hue = ((name.hashCode() % 360) + 360) % 360
        canvas.drawColor(Color.HSVToColor(floatArrayOf(hue.toFloat(), 0.55f, 0.75f)))
        val initials = name.split('_', ' ', '-').filter { it.isNotEmpty() }.take(2)
            .joinToString("") { it.substring(0, 1).uppercase() }
            .ifEmpty { "?" }
        val paint = Paint(Paint.ANTI_ALIAS_FLAG).apply {
            color = Color.WHITE
            textSize = THUMBNAIL_SIDE * 0.38f
            textAlign = Paint.Align.CENTER
            isFakeBoldText = true
        }
        val y = THUMBNAIL_SIDE / 2f - (paint.descent() + paint.ascent()) / 2f
        canvas.drawText(initials, THUMBNAIL_SIDE / 2f, y, paint)
        return bitmap
    }

    companion object {
        private const val TAG = "StyleRepository"
        const val MANIFEST_ASSET = "styles.json"
        const val STYLE_SUFFIX = ".style.json"
        private const val THUMBNAIL_SIDE = 192
    }
}
